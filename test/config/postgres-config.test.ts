// BRIDGE_STORE and the PostgreSQL settings: what check-config accepts, rejects, and never prints.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { problems } from '../helpers/config-problems.js';
import { loadConfig, maskedConfig } from '../../src/config/load.js';
import { checkConfigCommand } from '../../src/cli/check-config.js';
import { main } from '../../src/cli/main.js';
import { adapterModules } from '../../adapters/index.js';
import { LineCollector } from '../helpers/harness.js';
import { PG_URL, dropSchema, freshSchema } from '../helpers/postgres.js';

const base = {
  AGENTAI_URL: 'https://platform.kore.ai',
  AGENTAI_BOT_ID: 'st-1',
  AGENTAI_CLIENT_ID: 'cs-1',
  AGENTAI_CLIENT_SECRET: 's3cret-value',
  BRIDGE_ADAPTERS: 'ada',
  ADA_WEBHOOK_SECRETS: 'whsec_dGVzdA==',
};

describe('store configuration', () => {
  it('defaults to the SQLite store and the agentai_bridge schema', () => {
    const c = loadConfig({ env: base });
    expect(c.bridge.store).toBe('sqlite');
    expect(c.postgres.schema).toBe('agentai_bridge');
  });

  it('rejects an unknown BRIDGE_STORE and a postgres store without a URL, naming the keys', () => {
    expect(problems({ ...base, BRIDGE_STORE: 'mysql' })).toEqual([expect.stringMatching(/^config error: bridge\.store \(BRIDGE_STORE\): must be one of/)]);
    expect(problems({ ...base, BRIDGE_STORE: 'postgres' })).toEqual([
      'config error: postgres.url (BRIDGE_POSTGRES_URL): required when BRIDGE_STORE is postgres (or BRIDGE_POSTGRES_URL_FILE)',
    ]);
  });

  it('accepts postgres:// and postgresql:// URLs with query parameters, and rejects others without quoting them', () => {
    for (const url of ['postgres://bridge:pw@db:5432/bridge', 'postgresql://bridge@db/bridge?sslmode=require&application_name=x']) {
      expect(problems({ ...base, BRIDGE_STORE: 'postgres', BRIDGE_POSTGRES_URL: url })).toEqual([]);
    }
    const lines = problems({ ...base, BRIDGE_STORE: 'postgres', BRIDGE_POSTGRES_URL: 'mysql://bridge:hunter2@db/bridge' });
    expect(lines).toEqual([expect.stringMatching(/^config error: postgres\.url \(BRIDGE_POSTGRES_URL\): scheme must be postgres or postgresql/)]);
    expect(lines.join('\n')).not.toContain('hunter2');
    expect(problems({ ...base, BRIDGE_POSTGRES_SCHEMA: 'Bad-Name' })).toEqual([expect.stringMatching(/postgres\.schema \(BRIDGE_POSTGRES_SCHEMA\)/)]);
  });

  it('reads the URL from BRIDGE_POSTGRES_URL_FILE and masks its password in the effective config', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pgurl-')), 'url');
    writeFileSync(file, 'postgres://bridge:hunter2@db:5432/bridge?sslmode=require\n');
    const c = loadConfig({ env: { ...base, BRIDGE_STORE: 'postgres', BRIDGE_POSTGRES_URL_FILE: file } });
    expect(c.postgres.url).toBe('postgres://bridge:hunter2@db:5432/bridge?sslmode=require');
    const shown = JSON.stringify(maskedConfig(c, adapterModules));
    expect(shown).not.toContain('hunter2');
    expect(shown).toContain('postgres://bridge:****@db:5432/bridge?sslmode=require');
  });

  it('keeps the lease heartbeat below half the lease TTL', () => {
    expect(problems({ ...base, BRIDGE_LEASE_TTL_MS: '3000', BRIDGE_LEASE_HEARTBEAT_MS: '2000' })).toEqual([
      expect.stringMatching(/^config error: replica\.heartbeatMs \(BRIDGE_LEASE_HEARTBEAT_MS\): must be at most half/),
    ]);
  });
});

describe('check-config with BRIDGE_STORE=postgres', () => {
  it('reports the schema of a reachable database', async () => {
    const schema = freshSchema('cc');
    const err = new LineCollector();
    const code = await checkConfigCommand({ env: { ...base, BRIDGE_STORE: 'postgres', BRIDGE_POSTGRES_URL: PG_URL, BRIDGE_POSTGRES_SCHEMA: schema }, stdout: new LineCollector(), stderr: err, modules: adapterModules });
    expect(code).toBe(0);
    expect(err.lines.join('\n')).toContain(`store: postgres schema ${schema} at version 0`);
    await dropSchema(schema);
  });

  it('fails with exit 78 naming BRIDGE_POSTGRES_URL when the database cannot be reached, password masked', async () => {
    const err = new LineCollector();
    const out = new LineCollector();
    const code = await checkConfigCommand({
      env: { ...base, BRIDGE_STORE: 'postgres', BRIDGE_POSTGRES_URL: 'postgres://bridge:hunter2@127.0.0.1:1/bridge' },
      stdout: out,
      stderr: err,
      modules: adapterModules,
    });
    expect(code).toBe(78);
    const text = [...err.lines, ...out.lines].join('\n');
    expect(err.lines[0]).toMatch(/^config error: postgres\.url \(BRIDGE_POSTGRES_URL\): cannot use PostgreSQL at postgres:\/\/bridge:\*\*\*\*@127\.0\.0\.1:1\/bridge/);
    expect(text).not.toContain('hunter2');
  });

  it('run fails the same way, before anything starts', async () => {
    const err = new LineCollector();
    const code = await main(['run'], {
      env: { ...base, BRIDGE_STORE: 'postgres', BRIDGE_POSTGRES_URL: 'postgres://bridge:hunter2@127.0.0.1:1/bridge', BRIDGE_HTTP_PORT: '0' },
      stdout: new LineCollector(),
      stderr: err,
      modules: adapterModules,
    });
    expect(code).toBe(78);
    expect(err.lines[0]).toMatch(/^config error: postgres\.url \(BRIDGE_POSTGRES_URL\): cannot use PostgreSQL at postgres:\/\/bridge:\*\*\*\*@127\.0\.0\.1:1\/bridge/);
    expect(err.lines.join('\n')).not.toContain('hunter2');
  });
});
