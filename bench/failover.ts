// `npm run bench`, PostgreSQL part: ingest through the PostgreSQL store; and failover: two real replicas on a PostgreSQL schema (BENCH_POSTGRES_URL, default the
// local server) with the simulated Genesys org. Measures, with the default lease timings (TTL 5 s, heartbeat
// 1 s): from SIGKILL of the leader to the other replica's subscription being live (role leader in /status),
// and the same from SIGTERM (the lease is released). Prints figures; asserts nothing.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Writable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config/load.js';
import type { Fact } from '../src/core/facts.js';
import { createLogger } from '../src/observability/logger.js';
import { Bridge } from '../src/runtime/bridge.js';
import { openPostgresStore } from '../src/store/postgres.js';
import type { Store } from '../src/store/types.js';
import { FakeAgentAi } from '../src/sim/agentai-receiver.js';
import { GenesysSim } from '../src/sim/genesys/server.js';

const CLI = fileURLToPath(new URL('../bin/agentai-bridge.js', import.meta.url));
const PG_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const QUEUE = 'b7e2a9c4-31d5-4f8e-9a6b-2c1d0e9f8a71';
const BOT = { botId: 'st-bench', clientId: 'cs-bench', clientSecret: 'bench-secret-0123456789' };

interface Replica {
  readonly child: ChildProcess;
  readonly port: number;
  readonly exited: Promise<unknown>;
}

async function replica(env: NodeJS.ProcessEnv): Promise<Replica> {
  const child = spawn(process.execPath, [CLI, 'run'], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('replica did not start')), 20_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = line.includes('"msg":"agentai-bridge running"') ? /"port":(\d+)/.exec(line) : null;
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.stderr.resume();
  });
  return { child, port, exited };
}

async function role(r: Replica): Promise<string | undefined> {
  try {
    const body: unknown = await (await fetch(`http://127.0.0.1:${r.port}/status`)).json();
    if (typeof body === 'object' && body !== null && 'replica' in body && typeof body.replica === 'object' && body.replica !== null && 'role' in body.replica) {
      return String(body.replica.role);
    }
  } catch {
    // not answering (killed, starting)
  }
  return undefined;
}

async function leaderOf(replicas: readonly Replica[], timeoutMs = 30_000): Promise<Replica> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const r of replicas) if ((await role(r)) === 'leader') return r;
    if (Date.now() > deadline) throw new Error('no leader');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Facts per second through pipeline + PostgreSQL store, 200 conversations in parallel (group commit). */
export async function benchPostgresIngest(conversation: (id: string, t0: number) => Fact[]): Promise<void> {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  let store: Store;
  try {
    store = await openPostgresStore({ url: PG_URL, schema });
  } catch {
    console.log(`pg ingest      skipped: no PostgreSQL at ${PG_URL} (set BENCH_POSTGRES_URL)`);
    return;
  }
  const config = loadConfig({ env: { AGENTAI_URL: 'http://127.0.0.1:9', AGENTAI_BOT_ID: BOT.botId, AGENTAI_CLIENT_ID: BOT.clientId, AGENTAI_CLIENT_SECRET: BOT.clientSecret, LOG_LEVEL: 'silent' } });
  const bridge = new Bridge({ config, logger: createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }), pretty: false }), store });
  const t0 = Date.now();
  const all = Array.from({ length: 200 }, (_, i) => conversation(`pg-${i}`, t0));
  const start = performance.now();
  await Promise.all(all.map(async (facts) => {
    for (const f of facts) await bridge.pipeline.ingest(f);
  }));
  const ms = performance.now() - start;
  const n = all.flat().length;
  console.log(`pg ingest      ${Math.round(n / (ms / 1000)).toLocaleString('en')} facts/s  (${n.toLocaleString('en')} facts of 200 conversations in parallel, group commit, one PostgreSQL transaction per batch)`);
  await bridge.stop(100);
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
}

export async function benchFailover(): Promise<void> {
  const probe = new pg.Client({ connectionString: PG_URL });
  try {
    await probe.connect();
  } catch {
    console.log(`failover       skipped: no PostgreSQL at ${PG_URL} (set BENCH_POSTGRES_URL)`);
    return;
  }
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const fake = await FakeAgentAi.start({ bots: [BOT] });
  const sim = await GenesysSim.start({ clientId: 'sim-client', clientSecret: 'sim-secret-0123456789', heartbeatMs: 1000 });
  sim.org.addQueue({ id: QUEUE, name: 'Support' });
  const env: NodeJS.ProcessEnv = {
    AGENTAI_URL: fake.url, AGENTAI_BOT_ID: BOT.botId, AGENTAI_CLIENT_ID: BOT.clientId, AGENTAI_CLIENT_SECRET: BOT.clientSecret,
    BRIDGE_STORE: 'postgres', BRIDGE_POSTGRES_URL: PG_URL, BRIDGE_POSTGRES_SCHEMA: schema, BRIDGE_HTTP_PORT: '0', BRIDGE_HTTP_HOST: '127.0.0.1',
    BRIDGE_ADAPTERS: 'genesys', GENESYS_CLIENT_ID: 'sim-client', GENESYS_CLIENT_SECRET: 'sim-secret-0123456789', GENESYS_GATEWAY_URL: sim.url,
    GENESYS_QUEUE_IDS: QUEUE, LOG_LEVEL: 'info',
  };
  const replicas: Replica[] = [];
  const spawnOne = async (i: number): Promise<Replica> => {
    const r = await replica({ ...env, BRIDGE_REPLICA_ID: `bench-${i}`, BRIDGE_DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-replica-')) });
    replicas.push(r);
    return r;
  };
  const alive = () => replicas.filter((r) => r.child.exitCode === null && r.child.signalCode === null);
  try {
    await spawnOne(0);
    await spawnOne(1);
    for (const [signal, rounds] of [['SIGKILL', 3], ['SIGTERM', 3]] as const) {
      const times: number[] = [];
      for (let i = 0; i < rounds; i++) {
        const leader = await leaderOf(alive());
        const t0 = performance.now();
        leader.child.kill(signal);
        const next = await leaderOf(alive().filter((r) => r !== leader));
        times.push(performance.now() - t0);
        await leader.exited;
        void next;
        await spawnOne(replicas.length);
      }
      const worst = Math.max(...times);
      console.log(
        `failover       ${signal} of the leader → other replica subscribed: ${times.map((t) => `${(t / 1000).toFixed(2)} s`).join(', ')} (worst ${(worst / 1000).toFixed(2)} s; lease TTL 5 s, heartbeat 1 s; target ${signal === 'SIGKILL' ? '10' : '2'} s)`,
      );
    }
  } finally {
    for (const r of replicas) if (r.child.exitCode === null) r.child.kill('SIGKILL');
    await Promise.all(replicas.map((r) => r.exited));
    await fake.close();
    await sim.close();
    await probe.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await probe.end();
  }
}
