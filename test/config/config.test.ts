import { adapterModules } from '../../adapters/index.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { problems } from '../helpers/config-problems.js';
import { loadConfig, maskedConfig, type BridgeConfig } from '../../src/config/load.js';
import { chooseBot } from '../../src/config/bots.js';

const base = { AGENTAI_URL: 'https://platform.kore.ai', AGENTAI_BOT_ID: 'st-1', AGENTAI_CLIENT_ID: 'cs-1', AGENTAI_CLIENT_SECRET: 's3cret-value' };

describe('config', () => {
  it('loads defaults plus env, with the env bot as the default bot', () => {
    const c = loadConfig({ env: base });
    expect(c.agentai.hooksPath).toBe('/agentassist/api/v1/hooks');
    expect(c.agentai.tokenHeader).toBe('token');
    expect(c.bridge.dataDir).toBe('./data');
    expect(c.bots).toEqual([expect.objectContaining({ name: 'default', botId: 'st-1', default: true })]);
  });

  it('reports one line per bad key, naming the key, its env var and the reason', () => {
    const lines = problems({ ...base, AGENTAI_URL: 'ftp://host/x', LOG_LEVEL: 'loud', BRIDGE_SETTLE_MS: 'soon', BRIDGE_ADAPTERS: 'genesys,foo' });
    expect(lines).toHaveLength(4);
    expect(lines.find((l) => l.includes('agentai.url'))).toMatch(/agentai\.url \(AGENTAI_URL\): .*scheme/);
    expect(lines.find((l) => l.includes('log.level'))).toMatch(/\(LOG_LEVEL\)/);
    expect(lines.find((l) => l.includes('bridge.settleMs'))).toMatch(/\(BRIDGE_SETTLE_MS\): must be a whole number/);
    expect(lines.find((l) => l.includes('bridge.adapters'))).toMatch(/unknown adapter "foo"/);
  });

  it('reads the data-at-rest switches: delivered bodies purged by default, dead letters kept 30 days; flags as true/false, 1/0, yes/no', () => {
    const c = loadConfig({ env: base });
    expect(c.bridge.purgeDeliveredBodies).toBe(true);
    expect(c.bridge.deadLetterRetentionHours).toBe(720);
    for (const [value, expected] of [['false', false], ['0', false], ['no', false], ['NO', false], ['true', true], ['1', true], ['yes', true]] as const) {
      expect(loadConfig({ env: { ...base, BRIDGE_PURGE_DELIVERED_BODIES: value } }).bridge.purgeDeliveredBodies).toBe(expected);
    }
    expect(problems({ ...base, BRIDGE_PURGE_DELIVERED_BODIES: 'maybe' })).toEqual([expect.stringMatching(/bridge\.purgeDeliveredBodies \(BRIDGE_PURGE_DELIVERED_BODIES\): must be true or false/)]);
  });

  it('requires the bot credentials when no bots are listed', () => {
    const lines = problems({ AGENTAI_URL: 'https://platform.kore.ai' });
    expect(lines).toEqual(expect.arrayContaining([
      expect.stringMatching(/agentai\.botId \(AGENTAI_BOT_ID\): required/),
      expect.stringMatching(/agentai\.clientSecret \(AGENTAI_CLIENT_SECRET\): required/),
    ]));
    expect(problems({ ...base, AGENTAI_URL: '' })).toEqual([expect.stringMatching(/AGENTAI_URL\): must be set/)]);
  });

  it('reads a secret from <VAR>_FILE', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 'secret'), 'from-file\n');
    const { AGENTAI_CLIENT_SECRET: _, ...rest } = base;
    const c = loadConfig({ env: { ...rest, AGENTAI_CLIENT_SECRET_FILE: join(dir, 'secret') } });
    expect(c.bots[0]?.clientSecret).toBe('from-file');
  });

  it('loads several bots from the file and chooses per queue, domain and source', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'bridge.json');
    writeFileSync(file, JSON.stringify({
      agentai: { bots: [
        { name: 'sales', botId: 'st-sales', clientId: 'cs-s', clientSecret: 'x1', queueIds: ['q-sales'] },
        { name: 'support', botId: 'st-support', clientId: 'cs-p', clientSecret: 'x2', queueNames: ['Support'], default: true },
        { name: 'ada', botId: 'st-ada', clientId: 'cs-a', clientSecret: 'x3', domains: ['acme.ada.support'] },
      ] },
    }));
    const c = loadConfig({ env: { AGENTAI_URL: 'https://platform.kore.ai', BRIDGE_CONFIG: file } });
    expect(c.bots.map((b) => b.name)).toEqual(['sales', 'support', 'ada']);
    expect(chooseBot(c.bots, { source: 'genesys', queueId: 'q-sales' })?.name).toBe('sales');
    expect(chooseBot(c.bots, { source: 'genesys', queueName: 'Support' })?.name).toBe('support');
    expect(chooseBot(c.bots, { source: 'ada', domain: 'acme.ada.support' })?.name).toBe('ada');
    expect(chooseBot(c.bots, { source: 'genesys', queueId: 'q-other' })?.name).toBe('support');
  });

  it('rejects unknown keys and malformed bots in the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'bridge.json');
    writeFileSync(file, JSON.stringify({ agentai: { hooksPth: '/x', bots: [{ name: 'b', botId: 'st' }] } }));
    const lines = problems({ ...base, BRIDGE_CONFIG: file });
    expect(lines).toEqual(expect.arrayContaining([
      expect.stringMatching(/agentai\.hooksPth: unknown key/),
      expect.stringMatching(/agentai\.bots\[0\]\.clientId/),
    ]));
  });

  it('masks every secret in the effective config', () => {
    const c = loadConfig({ env: { ...base, GENESYS_CLIENT_SECRET: 'gen-secret', BRIDGE_ADAPTERS: 'genesys,ada', ADA_WEBHOOK_SECRETS: 'whsec_c2VjcmV0LWJ5dGVz' }, modules: adapterModules });
    const text = JSON.stringify(maskedConfig(c, adapterModules));
    for (const secret of ['s3cret-value', 'gen-secret', 'whsec_c2VjcmV0LWJ5dGVz']) expect(text).not.toContain(secret);
    expect(text).toContain('********');
  });

  it('leaves the admin listener off by default and takes BRIDGE_ADMIN_PORT, BRIDGE_ADMIN_HOST and the token from a file', () => {
    const off = loadConfig({ env: base }).http;
    expect(off).toMatchObject({ adminPort: '', adminHost: '', adminToken: '', headersTimeoutMs: 10000, requestTimeoutMs: 15000, maxConnections: 1000 });
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 'token'), 'admin-tok\n');
    const on = loadConfig({ env: { ...base, BRIDGE_ADMIN_PORT: '9090', BRIDGE_ADMIN_HOST: '10.0.0.5', BRIDGE_ADMIN_TOKEN_FILE: join(dir, 'token') } }).http;
    expect(on).toMatchObject({ adminPort: 9090, adminHost: '10.0.0.5', adminToken: 'admin-tok' });
    expect(JSON.stringify(maskedConfig(loadConfig({ env: { ...base, BRIDGE_ADMIN_TOKEN: 'admin-tok' } }), adapterModules))).not.toContain('admin-tok');
  });

  it('refuses an admin port equal to the HTTP port, a bad port, and a headers timeout above the request timeout', () => {
    expect(problems({ ...base, BRIDGE_ADMIN_PORT: '8080' })).toEqual([expect.stringMatching(/^config error: http\.adminPort \(BRIDGE_ADMIN_PORT\): must differ from BRIDGE_HTTP_PORT/)]);
    expect(problems({ ...base, BRIDGE_ADMIN_PORT: 'admin' })).toEqual([expect.stringMatching(/http\.adminPort \(BRIDGE_ADMIN_PORT\): must be empty or a port number/)]);
    expect(problems({ ...base, BRIDGE_HTTP_HEADERS_TIMEOUT_MS: '20000' })).toEqual([expect.stringMatching(/http\.headersTimeoutMs \(BRIDGE_HTTP_HEADERS_TIMEOUT_MS\): must be at most BRIDGE_HTTP_REQUEST_TIMEOUT_MS/)]);
  });
});

const genesys = { GENESYS_CLIENT_ID: 'gc', GENESYS_CLIENT_SECRET: 'gs', GENESYS_QUEUE_IDS: 'all' };
const ada = { BRIDGE_ADAPTERS: 'ada', ADA_WEBHOOK_SECRETS: `whsec_${Buffer.from('ada-signing-key').toString('base64')}` };

describe('booleans', () => {
  it('read true/false, 1/0 and yes/no in any case', () => {
    const read = (value: string) => {
      const c = loadConfig({ env: { ...base, AGENTAI_SUMMARY: value, SUMMARY_POLL: value }, modules: adapterModules });
      return [c.agentai.summary.enabled, c.summary.poll];
    };
    for (const off of ['false', '0', 'no', 'No', ' FALSE ']) expect(read(off), off).toEqual([false, false]);
    for (const on of ['true', '1', 'yes', 'TRUE']) expect(read(on), on).toEqual([true, true]);
  });

  it('refuse anything else, naming the key and what it takes', () => {
    for (const value of ['off', 'on', '', 'garbage', '2']) {
      const lines = problems({ ...base, AGENTAI_SUMMARY: value, SUMMARY_POLL: value, ...ada, ADA_FORWARD_AI_AGENT_MESSAGES: value });
      expect(lines, JSON.stringify(value)).toHaveLength(3);
      expect(lines.join('\n')).toMatch(/agentai\.summary\.enabled \(AGENTAI_SUMMARY\): must be true or false \(also 1\/0, yes\/no\)/);
      expect(lines.join('\n')).toMatch(/summary\.poll \(SUMMARY_POLL\): must be true or false/);
      expect(lines.join('\n')).toMatch(/ada\.forwardAiAgentMessages \(ADA_FORWARD_AI_AGENT_MESSAGES\): must be true or false/);
    }
  });

  it('keep JSON booleans in the config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'bridge.json');
    writeFileSync(file, JSON.stringify({ summary: { poll: true }, genesys: { transcription: false } }));
    const c = loadConfig({ env: { ...base, BRIDGE_CONFIG: file }, modules: adapterModules });
    expect([c.summary.poll, c.genesys.transcription]).toEqual([true, false]);
  });
});

describe('adapter settings', () => {
  it('keep their env vars and JSON keys, composed from the adapter modules', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'bridge.json');
    writeFileSync(file, JSON.stringify({ genesys: { topicsPerChannel: 500 }, ada: { orderingBufferMs: 1500 } }));
    const c = loadConfig({ env: { ...base, BRIDGE_CONFIG: file, GENESYS_TOPIC_HEADROOM: '100', ADA_WEBHOOK_PATH: '/hooks/ada' }, modules: adapterModules });
    expect(c.genesys).toMatchObject({ topicsPerChannel: 500, topicHeadroom: 100, environment: 'mypurecloud.com' });
    expect(c.ada).toMatchObject({ orderingBufferMs: 1500, path: '/hooks/ada' });
  });

  it('refuse an ordering buffer Ada would time out on', () => {
    expect(problems({ ...base, ...ada, ADA_ORDERING_BUFFER_MS: '20000' })).toEqual([
      'config error: ada.orderingBufferMs (ADA_ORDERING_BUFFER_MS): must be at most 10000 (Ada gives up on a webhook after 15 s)',
    ]);
  });

  it('refuse a secret svix would refuse, without quoting it', () => {
    const lines = problems({ ...base, ...ada, ADA_WEBHOOK_SECRETS: `${ada.ADA_WEBHOOK_SECRETS},whsec_!!not-base64!!,plain-text` });
    expect(lines).toEqual([
      'config error: ada.webhookSecrets (ADA_WEBHOOK_SECRETS): secrets 2, 3 of 3 are not a valid Svix secret (whsec_ followed by base64, as Ada shows it)',
    ]);
    expect(problems({ ...base, BRIDGE_ADAPTERS: 'ada' })).toEqual([expect.stringMatching(/^config error: ada\.webhookSecrets \(ADA_WEBHOOK_SECRETS\): at least one/)]);
  });

  it('refuse a topic headroom that leaves no room on a channel, for a live daemon', () => {
    const env = { ...base, ...genesys, GENESYS_TOPICS_PER_CHANNEL: '300', GENESYS_TOPIC_HEADROOM: '300', GENESYS_MAX_CHANNELS: '1' };
    expect(problems(env, true)).toEqual([
      'config error: genesys.topicHeadroom (GENESYS_TOPIC_HEADROOM): must be smaller than GENESYS_TOPICS_PER_CHANNEL (300): the headroom is kept free on each channel',
      'config error: genesys.maxChannels (GENESYS_MAX_CHANNELS): must be at least 2 (one is kept free for roll-overs)',
    ]);
    // replay decodes recorded frames: the live adapter's settings do not stop it.
    expect(problems(env, false)).toEqual([]);
  });

  it('are checked only for the adapters in BRIDGE_ADAPTERS', () => {
    expect(problems({ ...base, ...genesys, ADA_ORDERING_BUFFER_MS: '20000' }, true)).toEqual([]);
    expect(problems({ ...base, ...ada, GENESYS_TOPIC_HEADROOM: '5000' }, true)).toEqual([]);
  });

  it('are not checked while BRIDGE_ADAPTERS itself is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'bridge.json');
    writeFileSync(file, JSON.stringify({ bridge: { adapters: 5 } }));
    expect(problems({ ...base, BRIDGE_CONFIG: file }, true)).toEqual([expect.stringMatching(/^config error: bridge\.adapters \(BRIDGE_ADAPTERS\): must be a comma-separated list/)]);
  });

  it('come from whatever modules the composition root hands in: core names no adapter', () => {
    const chat = {
      name: 'chat',
      config: {
        section: 'chat',
        schema: { token: { doc: 'token', format: String, default: '', env: 'CHAT_TOKEN', sensitive: true } },
        check: (config: BridgeConfig) => ((config as unknown as { chat: { token: string } }).chat.token === '' ? [{ key: 'chat.token', env: 'CHAT_TOKEN', reason: 'required' }] : []),
      },
    };
    const load = (env: NodeJS.ProcessEnv) => loadConfig({ env: { ...base, BRIDGE_ADAPTERS: 'chat', ...env }, modules: [chat] });
    expect(() => load({})).toThrow(/^config error: chat\.token \(CHAT_TOKEN\): required$/);
    expect(maskedConfig(load({ CHAT_TOKEN: 'tok-123' }), [chat])).toMatchObject({ chat: { token: '********' } });
    expect(() => loadConfig({ env: { ...base, BRIDGE_ADAPTERS: 'genesys' }, modules: [chat] })).toThrow('config error: bridge.adapters (BRIDGE_ADAPTERS): unknown adapter "genesys" (known: chat)');
  });
});

describe('env vars that are no setting', () => {
  const warnings = (env: NodeJS.ProcessEnv) => {
    const out: string[] = [];
    loadConfig({ env: { ...base, ...env }, modules: adapterModules, onWarning: (w) => out.push(w) });
    return out;
  };

  it('are reported with the nearest setting, and change nothing', () => {
    expect(warnings({ GENESYS_TOPICS_PER_CHANEL: '500', AGENTAI_CLIENT_SECRET_FIEL: '/run/secrets/x', SUMMARY_POL: 'true' })).toEqual([
      'config warning: AGENTAI_CLIENT_SECRET_FIEL is not a setting and is ignored; did you mean AGENTAI_CLIENT_SECRET_FILE (agentai.clientSecret, from a file)?',
      'config warning: GENESYS_TOPICS_PER_CHANEL is not a setting and is ignored; did you mean GENESYS_TOPICS_PER_CHANNEL (genesys.topicsPerChannel)?',
      'config warning: SUMMARY_POL is not a setting and is ignored; did you mean SUMMARY_POLL (summary.poll)?',
    ]);
  });

  it('are only those with a bridge prefix; settings, their _FILE and BRIDGE_CONFIG are not', () => {
    expect(warnings({ HOME: '/root', LOG_LEVEL: 'info', NODE_ENV: 'production', GENESYS_CLIENT_SECRET_FILE: '/dev/null', ADA_WEBHOOK_PATH: '/ada', DELIVERY_MAX_IN_FLIGHT: '8' })).toEqual([]);
    expect(warnings({ DELIVERY_MAX_INFLIGHT: '8' })).toEqual([expect.stringContaining('did you mean DELIVERY_MAX_IN_FLIGHT')]);
  });
});
