// docker-compose.yml: PostgreSQL and two bridge replicas on it. Without a Docker engine here, the file is read
// as compose reads it (YAML with merge keys) and each replica's environment is loaded as the bridge would.
import { adapterModules } from '../../adapters/index.js';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';

interface Service {
  image?: string;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  secrets?: string[];
  read_only?: boolean;
  healthcheck?: { test: string[] };
}
interface Compose {
  services: Record<string, Service>;
  secrets: Record<string, { file: string }>;
}

const compose = parse(readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8'), { merge: true }) as Compose;

/** Compose's ${VAR:-default}, with nothing set: the defaults. */
const interpolate = (env: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replace(/\$\{\w+:-([^}]*)\}/g, '$1')]));

describe('docker-compose.yml', () => {
  it('runs PostgreSQL (health-checked) and two replicas of the bridge on it, each with its own id and ports', () => {
    const { postgres, ...rest } = compose.services;
    expect(postgres?.healthcheck?.test).toContain('pg_isready');
    const bridges = Object.entries(rest);
    expect(bridges).toHaveLength(2);
    const ids = new Set<string>();
    const ports = new Set<string>();
    for (const [name, service] of bridges) {
      expect(service.depends_on?.postgres?.condition, name).toBe('service_healthy');
      expect(service.read_only, name).toBe(true);
      ids.add(service.environment?.BRIDGE_REPLICA_ID ?? '');
      // host port -> container port; the admin port is published on the loopback interface only.
      for (const p of service.ports ?? []) ports.add(p.split(':').slice(-2, -1)[0] ?? '');
      expect(service.ports?.find((p) => p.endsWith(':9090')), name).toMatch(/^127\.0\.0\.1:/);
      expect(service.environment).toMatchObject({ BRIDGE_STORE: 'postgres', BRIDGE_POSTGRES_URL_FILE: '/run/secrets/postgres_url' });
    }
    expect(ids.size).toBe(2);
    expect(ports.size).toBe(4);
  });

  it('gives each replica an environment the bridge accepts for run, secrets from files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'compose-secrets-'));
    const files: Record<string, string> = {
      postgres_url: 'postgres://bridge:bridge-local-only@postgres:5432/bridge',
      agentai_client_secret: 'agentai-secret',
      genesys_client_secret: 'genesys-secret',
    };
    for (const [name, value] of Object.entries(files)) writeFileSync(join(dir, name), value);
    for (const [name, service] of Object.entries(compose.services).filter(([n]) => n !== 'postgres')) {
      expect(service.secrets?.sort(), name).toEqual(Object.keys(compose.secrets).sort());
      const env = Object.fromEntries(Object.entries(interpolate(service.environment ?? {})).map(([k, v]) => [k, v.replace('/run/secrets', dir)]));
      const config = loadConfig({ env, live: true, modules: adapterModules });
      expect(config.bridge.store).toBe('postgres');
      expect(config.postgres.url).toBe(files.postgres_url);
      expect(config.http).toMatchObject({ port: 8080, adminPort: 9090 });
    }
  });
});
