import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { problems } from '../helpers/config-problems.js';
import { loadConfig, maskedConfig } from '../../src/config/load.js';
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
    const c = loadConfig({ env: { ...base, GENESYS_CLIENT_SECRET: 'gen-secret', BRIDGE_ADAPTERS: 'genesys,ada', ADA_WEBHOOK_SECRETS: 'whsec_abc' } });
    const text = JSON.stringify(maskedConfig(c));
    for (const secret of ['s3cret-value', 'gen-secret', 'whsec_abc']) expect(text).not.toContain(secret);
    expect(text).toContain('********');
  });
});
