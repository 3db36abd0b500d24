// The PostgreSQL server restarted under a running cluster: replicas ride it out (readiness says why while
// the database is gone), a leader is back once it returns, and the stream is delivered intact. Restarting the
// shared server would break other tests using it, so this file runs on its own after the suite
// (vitest.restart.config.ts, part of `npm test`).
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeSecret } from '../../adapters/ada/test/harness.js';
import { FakeAgentAi } from '../../src/sim/agentai-receiver.js';
import type { GenesysSim } from '../../src/sim/genesys/server.js';
import { postSignedWebhook } from '../helpers/ada-webhook.js';
import { BOT } from '../helpers/harness.js';
import { dropSchema, freshSchema } from '../helpers/postgres.js';
import { liveEnv, startSim } from '../genesys-live/helpers.js';
import { ADA_EXPECTED, adaConversation, Cluster, clusterEnv, dedupeAdjacent, eventually, readyz, short, status } from './cluster-helpers.js';

const secret = makeSecret();
let fake: FakeAgentAi;
let sim: GenesysSim;
let schema: string;
let cluster: Cluster;

function postgres(action: 'stop' | 'start' | 'restart'): void {
  const [version] = readdirSync('/etc/postgresql');
  if (!version) throw new Error('no PostgreSQL cluster under /etc/postgresql');
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', action], { stdio: 'ignore' });
}

beforeEach(async () => {
  fake = await FakeAgentAi.start({ bots: [BOT] });
  sim = await startSim();
  schema = freshSchema('restart');
  cluster = new Cluster(clusterEnv(fake.url, schema, { ...liveEnv(sim, 40, { LOG_LEVEL: 'info' }), BRIDGE_ADAPTERS: 'genesys,ada', ADA_WEBHOOK_SECRETS: secret, ADA_ORDERING_BUFFER_MS: '10' }));
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') process.stderr.write(cluster.report());
  await cluster.stop();
  await fake.close();
  await sim.close();
  await dropSchema(schema);
});

async function post(ports: readonly number[], conv: string, from: number, to: number): Promise<void> {
  const payloads = adaConversation(conv).slice(from, to);
  for (const [i, payload] of payloads.entries()) {
    // While the database is away a webhook is refused (not acknowledged); Ada (Svix) sends it again.
    await eventually(async () => {
      const res = await postSignedWebhook(`http://127.0.0.1:${ports[i % ports.length]}`, secret, payload).catch(() => undefined);
      return res?.status === 200 ? true : undefined;
    }, 30_000, `webhook ${from + i} of ${conv}`);
  }
}

describe('the database restarted under the cluster', () => {
  it('replicas ride it out: not ready and not leading while it is away, a leader again afterwards, the stream delivered intact', async () => {
    const a = await cluster.add('db-a');
    const b = await cluster.add('db-b');
    await cluster.leader(15_000);
    const conversations = ['db-1', 'db-2', 'db-3'];
    await Promise.all(conversations.map((c) => post([a.port, b.port], c, 0, 3)));
    postgres('restart');
    await Promise.all(conversations.map((c) => post([b.port, a.port], c, 3, 5)));
    await cluster.leader(20_000);
    // Then the database away for longer than the lease: the leader stops acting, nobody leads, nobody is ready.
    postgres('stop');
    try {
      for (const d of [a, b]) {
        await eventually(async () => {
          const s = await status(d.port);
          return (await readyz(d.port)) === 503 && s?.replica.role === 'follower' ? true : undefined;
        }, 15_000, 'not ready and not leading while the database is away');
      }
      await eventually(async () => (sim.connectedSockets() === 0 ? true : undefined), 10_000, 'the subscription stopped');
      expect((await status(a.port))?.replica.state === 'cut-off' || (await status(b.port))?.replica.state === 'cut-off').toBe(true);
    } finally {
      postgres('start');
    }
    await Promise.all(conversations.map((c) => post([a.port, b.port], c, 5, 7)));
    await fake.waitFor(() => conversations.every((c) => fake.labels(c).includes('END_OF_CONVERSATION')), 30_000);
    await cluster.leader(20_000);
    expect(sim.connectedSockets()).toBe(1);
    for (const d of [a, b]) await eventually(async () => ((await readyz(d.port)) === 200 ? true : undefined), 20_000, 'ready again');
    for (const conv of conversations) {
      const labels = short(fake.labels(conv));
      expect(labels.filter((l) => l === 'END_OF_CONVERSATION'), conv).toHaveLength(1);
      expect(dedupeAdjacent(labels), conv).toEqual(ADA_EXPECTED);
    }
    expect(a.child.exitCode).toBeNull();
    expect(b.child.exitCode).toBeNull();
  }, 120_000);
});
