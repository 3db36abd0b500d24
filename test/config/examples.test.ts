// The deployment examples under config/ must load as they are shipped (the loader rejects unknown keys),
// and their bots must be chosen as the examples say. Secret files (/run/secrets/...) are replaced by temp
// files holding dummy secrets; nothing else in an example is changed.
import { adapterModules } from '../../adapters/index.js';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { chooseBot, type Bot } from '../../src/config/bots.js';
import { composedSchema, loadConfig, schemaLeaves, type BridgeConfig } from '../../src/config/load.js';

const configDir = fileURLToPath(new URL('../../config/', import.meta.url));
const files = readdirSync(configDir).sort();
const jsonExamples = files.filter((f) => f.endsWith('.json'));
const envExamples = files.filter((f) => f.endsWith('.env.example'));

interface ExampleBot {
  name: string;
  clientSecretFile?: string;
  queueIds?: string[];
  queueNames?: string[];
  domains?: string[];
  default?: boolean;
}
interface ExampleFile {
  agentai?: { bots?: ExampleBot[] };
  genesys?: { queueIds?: string[]; queueNames?: string[] };
}

/** A dummy secret for a secret file, in the form its variable needs. */
function dummySecret(name: string): string {
  return /ADA_WEBHOOK_SECRETS/.test(name) ? `whsec_${Buffer.from(`dummy-${name}`).toString('base64')}` : `dummy-secret-${name}`;
}

/** Writes `name` into a fresh temp dir with a dummy secret and returns its path. */
function secretFile(dir: string, name: string): string {
  const path = join(dir, name.replace(/[^\w.-]/g, '_'));
  writeFileSync(path, `${dummySecret(name)}\n`);
  return path;
}

/** Loads a JSON example with its clientSecretFile paths pointed at temp files; the env gives the secrets
 * a deployment passes as <VAR>_FILE next to the file. */
function loadJsonExample(file: string): { example: ExampleFile; config: BridgeConfig; secrets: Map<string, string> } {
  const example = JSON.parse(readFileSync(join(configDir, file), 'utf8')) as ExampleFile;
  const dir = mkdtempSync(join(tmpdir(), 'cfg-example-'));
  const copy = structuredClone(example);
  const secrets = new Map<string, string>();
  for (const bot of copy.agentai?.bots ?? []) {
    if (!bot.clientSecretFile) continue;
    const path = secretFile(dir, bot.clientSecretFile.split('/').pop() ?? bot.name);
    secrets.set(bot.name, readFileSync(path, 'utf8').trim());
    bot.clientSecretFile = path;
  }
  const configPath = join(dir, file);
  writeFileSync(configPath, JSON.stringify(copy));
  const config = loadConfig({
    env: {
      BRIDGE_CONFIG: configPath,
      GENESYS_CLIENT_SECRET_FILE: secretFile(dir, 'GENESYS_CLIENT_SECRET'),
      ADA_WEBHOOK_SECRETS_FILE: secretFile(dir, 'ADA_WEBHOOK_SECRETS'),
    },
    modules: adapterModules,
  });
  return { example, config, secrets };
}

/** KEY=value lines of an env example; commented "# KEY=value" lines too when `commented` is set. */
function envLines(file: string, commented: boolean): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const line of readFileSync(join(configDir, file), 'utf8').split('\n')) {
    const m = (commented ? /^#?\s*([A-Z][A-Z0-9_]*)=(.*)$/ : /^([A-Z][A-Z0-9_]*)=(.*)$/).exec(line.trim());
    if (m?.[1] !== undefined && m[2] !== undefined) out.push([m[1], m[2]]);
  }
  return out;
}

function loadEnvExample(file: string, extra: Record<string, string> = {}, commented = false): BridgeConfig {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-example-'));
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of envLines(file, commented)) env[key] = key.endsWith('_FILE') ? secretFile(dir, key.slice(0, -5)) : value;
  return loadConfig({ env: { ...env, ...extra }, modules: adapterModules });
}

const leaves = schemaLeaves(composedSchema(adapterModules));
const knownEnv = new Set<string>(['BRIDGE_CONFIG']);
for (const leaf of leaves) {
  if (!leaf.env) continue;
  knownEnv.add(leaf.env);
  if (leaf.sensitive) knownEnv.add(`${leaf.env}_FILE`);
}
const sensitiveEnv = new Set(leaves.filter((l) => l.sensitive && l.env).map((l) => l.env as string));

describe('config/ examples', () => {
  it('has only files this test knows how to check', () => {
    expect(jsonExamples.length).toBeGreaterThanOrEqual(2);
    expect(envExamples.length).toBeGreaterThanOrEqual(1);
    const unchecked = files.filter((f) => !jsonExamples.includes(f) && !envExamples.includes(f) && f !== 'README.md');
    expect(unchecked).toEqual([]);
    const readme = readFileSync(join(configDir, 'README.md'), 'utf8');
    for (const f of [...jsonExamples, ...envExamples]) expect(readme).toContain(f);
  });

  describe.each(jsonExamples)('%s', (file) => {
    it('loads through loadConfig, every bot with its secret read from its file', () => {
      const { example, config, secrets } = loadJsonExample(file);
      const bots = example.agentai?.bots ?? [];
      expect(bots.length).toBeGreaterThanOrEqual(2);
      expect(config.bots.map((b) => b.name)).toEqual(bots.map((b) => b.name));
      for (const bot of bots) {
        expect(bot.clientSecretFile, `${bot.name} reads its secret from a mounted secret file`).toMatch(/^\/run\/secrets\//);
        expect(config.bots.find((b) => b.name === bot.name)?.clientSecret).toBe(secrets.get(bot.name));
      }
      expect(bots.filter((b) => b.default)).toHaveLength(1);
    });

    it('chooses each bot for its own queues and domains, and the default bot for anything else', () => {
      const { example, config } = loadJsonExample(file);
      const byName = (name: string): Bot | undefined => config.bots.find((b) => b.name === name);
      for (const bot of example.agentai?.bots ?? []) {
        for (const queueId of bot.queueIds ?? []) expect(chooseBot(config.bots, { source: 'genesys', queueId })).toBe(byName(bot.name));
        for (const queueName of bot.queueNames ?? []) expect(chooseBot(config.bots, { source: 'genesys', queueName })).toBe(byName(bot.name));
        for (const domain of bot.domains ?? []) expect(chooseBot(config.bots, { source: 'ada', domain })).toBe(byName(bot.name));
      }
      const fallback = config.bots.find((b) => b.default);
      expect(chooseBot(config.bots, { source: 'genesys', queueId: 'no-such-queue', queueName: 'No Such Queue' })).toBe(fallback);
      expect(chooseBot(config.bots, { source: 'ada', domain: 'no-such.ada.support' })).toBe(fallback);
    });

    it('follows every Genesys queue a bot is bound to', () => {
      const { example, config } = loadJsonExample(file);
      if (!config.bridge.adapters.includes('genesys')) return;
      for (const bot of example.agentai?.bots ?? []) {
        expect(config.genesys.queueIds).toEqual(expect.arrayContaining(bot.queueIds ?? []));
        expect(config.genesys.queueNames).toEqual(expect.arrayContaining(bot.queueNames ?? []));
      }
    });
  });

  it('bridge.example.json: Genesys queues pick the sales or the support bot', () => {
    const { config } = loadJsonExample('bridge.example.json');
    const pick = (hints: { queueId?: string; queueName?: string }): string | undefined => chooseBot(config.bots, { source: 'genesys', ...hints })?.name;
    expect(config.bridge.adapters).toEqual(['genesys']);
    expect(pick({ queueId: '6a1c2b3d-0001-4e5f-8a9b-0c1d2e3f4a5b' })).toBe('sales');
    expect(pick({ queueId: '6a1c2b3d-0002-4e5f-8a9b-0c1d2e3f4a5b' })).toBe('sales');
    expect(pick({ queueName: 'Sales Renewals' })).toBe('sales');
    expect(pick({ queueId: '9f8e7d6c-0003-4b5a-9c8d-7e6f5a4b3c2d' })).toBe('support');
    expect(pick({ queueName: 'Support Tier 2' })).toBe('support');
    expect(pick({ queueName: 'General Enquiries' })).toBe('support');
    expect(config.bots.find((b) => b.name === 'sales')?.summary).toBe(true);
    expect(config.bots.find((b) => b.name === 'support')?.summary).toBe(false);
  });

  it('ada.example.json: each ai_agent_domain picks its bot', () => {
    const { config } = loadJsonExample('ada.example.json');
    const pick = (domain: string): string | undefined => chooseBot(config.bots, { source: 'ada', domain })?.name;
    expect(config.bridge.adapters).toEqual(['ada']);
    expect(config.ada.webhookSecrets).toEqual([expect.stringMatching(/^whsec_/)]);
    expect(pick('acme.ada.support')).toBe('acme-retail');
    expect(pick('acme-business.ada.support')).toBe('acme-business');
    expect(pick('acme-partners.ada.support')).toBe('acme-business');
    expect(pick('elsewhere.ada.support')).toBe('acme-retail');
  });

  describe.each(envExamples)('%s', (file) => {
    it('names only known env vars, and every secret only through <VAR>_FILE', () => {
      const keys = envLines(file, true).map(([key]) => key);
      expect(keys.length).toBeGreaterThan(5);
      expect(keys.filter((k) => !knownEnv.has(k))).toEqual([]);
      expect(keys.filter((k) => sensitiveEnv.has(k))).toEqual([]);
      for (const env of sensitiveEnv) {
        if (keys.includes(`${env}_FILE`)) expect(envLines(file, true).find(([k]) => k === `${env}_FILE`)?.[1]).toMatch(/^\/run\/secrets\//);
      }
    });

    it('loads through loadConfig with the env bot as the only, default bot', () => {
      const config = loadEnvExample(file);
      expect(config.bots).toEqual([expect.objectContaining({ name: 'default', default: true, clientSecret: dummySecret('AGENTAI_CLIENT_SECRET') })]);
      expect(config.genesys.clientSecret).toBe(dummySecret('GENESYS_CLIENT_SECRET'));
    });

    it('also loads with its commented-out lines enabled and every adapter on', () => {
      const config = loadEnvExample(file, { BRIDGE_ADAPTERS: 'genesys,ada' }, true);
      expect(config.bridge.adapters).toEqual(['genesys', 'ada']);
      expect(config.ada.webhookSecrets).toEqual([dummySecret('ADA_WEBHOOK_SECRETS')]);
    });
  });
});
