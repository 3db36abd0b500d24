// Secrets never reach a log line: by field path, by value (wherever it is quoted) and by JWT shape.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { BridgeError } from '../../src/errors.js';
import { createLogger } from '../../src/observability/logger.js';
import { LineCollector } from '../helpers/harness.js';
import { problems } from '../helpers/config-problems.js';
import { badLogLines, duplicateKeys } from '../helpers/log-lines.js';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJhcHBJZCI6ImNzLTEifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

describe('logger', () => {
  it('redacts secret fields, configured secret values and anything shaped like a JWT', () => {
    const out = new LineCollector();
    const log = createLogger({ level: 'debug', secrets: ['client-secret-value', 'whsec_abcdef'], destination: out, pretty: false });
    log.info({ conversationId: 'c1', headers: { authorization: 'Bearer abc', token: JWT, auth: JWT, 'svix-signature': 'v1,xyz' } }, 'request');
    log.info({ bot: { clientSecret: 'client-secret-value' }, config: { webhookSecrets: ['whsec_abcdef'] } }, 'config');
    log.error({ err: new Error(`upstream echoed client-secret-value and ${JWT}`) }, `failed with ${JWT}`);
    log.warn({ note: 'text mentioning whsec_abcdef inline' }, 'inline');
    const text = out.lines.join('\n');
    expect(out.lines).toHaveLength(4);
    for (const secret of ['client-secret-value', 'whsec_abcdef', JWT, 'Bearer abc', 'v1,xyz']) expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
    expect(JSON.parse(out.lines[0]!)).toMatchObject({ conversationId: 'c1', msg: 'request', level: 'info' });
  });

  it('redacts a secret field at any depth, and `auth` only as a header', () => {
    const out = new LineCollector();
    const log = createLogger({ level: 'info', destination: out, pretty: false });
    log.info({ call: { request: { headers: { authorization: 'Bearer deep', auth: 'basic-deep' } }, accessToken: 'tok-deep' }, auth: 'jwt-mode' }, 'nested');
    const line: unknown = JSON.parse(out.lines[0] ?? '{}');
    expect(line).toMatchObject({ call: { request: { headers: { authorization: '[redacted]', auth: '[redacted]' } }, accessToken: '[redacted]' }, auth: 'jwt-mode' });
  });

  it('a line about a failure carries its code, whether the bridge or the system gave it', () => {
    const out = new LineCollector();
    const log = createLogger({ level: 'info', destination: out, pretty: false });
    log.error({ err: new BridgeError('STORE_LOCKED', 'the data dir is in use by pid 42') }, 'cannot open the store');
    log.warn({ err: new Error('fetch failed', { cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }) }) }, 'retrying');
    log.warn({ err: new Error('no code here') }, 'plain');
    log.warn({ err: new BridgeError('A_CODE', 'x'), code: 'CHOSEN' }, 'explicit');
    const lines = out.lines.map((l) => JSON.parse(l) as { code?: string; err: { code?: string; type: string } });
    expect(lines.map((l) => l.code)).toEqual(['STORE_LOCKED', 'ECONNRESET', undefined, 'CHOSEN']);
    expect(lines[0]?.err).toMatchObject({ type: 'BridgeError', code: 'STORE_LOCKED' });
  });
});

describe('log lines', () => {
  it('say each key once, whatever the child bindings and the call site repeat', () => {
    const out = new LineCollector();
    const log = createLogger({ level: 'info', destination: out, pretty: false });
    const ada = log.child({ adapter: 'ada' }).child({ adapter: 'ada', component: 'webhook' });
    ada.info({ adapter: 'ada', event: 'ada.webhook.rejected' }, 'same value');
    ada.info({ adapter: 'other', msg: 'x', level: 3, event: 'ada.test' }, 'different value');
    expect(out.lines.map(duplicateKeys)).toEqual([[], []]);
    expect(badLogLines(out.lines)).toEqual([]);
    expect(JSON.parse(out.lines[0]!)).toMatchObject({ adapter: 'ada', component: 'webhook', msg: 'same value' });
    expect(JSON.parse(out.lines[1]!)).toMatchObject({ adapter: 'ada', adapterLogged: 'other', msgLogged: 'x', levelLogged: 3, msg: 'different value' });
  });

  it('the duplicate-key check sees what JSON.parse hides', () => {
    expect(duplicateKeys('{"a":1,"b":{"c":[{"d":1,"d":2}],"e":"x\\"}"},"a":2}')).toEqual(['b.c.d', 'a']);
    expect(badLogLines(['{"event":"x.y","msg":"fine"}', '{"msg":"no event"}', 'not json'])).toHaveLength(2);
  });

  it('LOG_FORMAT=json writes JSON lines to the destination; pretty without pino-pretty or to a stream stays JSON', () => {
    const out = new LineCollector();
    createLogger({ level: 'info', destination: out, format: 'pretty' }).info({ event: 'test.line' }, 'hello');
    expect(JSON.parse(out.lines.at(-1)!)).toMatchObject({ event: 'test.line', msg: 'hello' });
  });
});

describe('LOG_FORMAT', () => {
  it('is json unless set to pretty; anything else is a configuration problem', () => {
    const base = { AGENTAI_URL: 'https://platform.kore.ai', AGENTAI_BOT_ID: 'st-1', AGENTAI_CLIENT_ID: 'cs-1', AGENTAI_CLIENT_SECRET: 's3cret-value' };
    expect(loadConfig({ env: base }).log.format).toBe('json');
    expect(loadConfig({ env: { ...base, LOG_FORMAT: 'pretty' } }).log.format).toBe('pretty');
    expect(problems({ ...base, LOG_FORMAT: 'xml' }).find((l) => l.includes('log.format'))).toMatch(/\(LOG_FORMAT\)/);
  });
});
