// Secrets never reach a log line: by field path, by value (wherever it is quoted) and by JWT shape.
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { LineCollector } from '../helpers/harness.js';

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
});
