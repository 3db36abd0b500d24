// Replicas on one PostgreSQL schema, as real processes: every replica takes Ada webhooks and delivers; exactly
// one holds the Genesys subscription; a killed, stopped or paused leader is replaced, and per-conversation
// order and END_OF_CONVERSATION once hold across all of it.
import { readdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeSecret } from '../../adapters/ada/test/harness.js';
import { FakeAgentAi } from '../../src/sim/agentai-receiver.js';
import type { GenesysSim } from '../../src/sim/genesys/server.js';
import { postSignedWebhook } from '../helpers/ada-webhook.js';
import { BOT } from '../helpers/harness.js';
import { dropSchema, freshSchema } from '../helpers/postgres.js';
import { fixtureScript, liveEnv, startSim } from '../genesys-live/helpers.js';
import { ScriptPlayer } from '../../src/sim/genesys/player.js';
import { CONVERSATIONS, USERS } from '../fixtures/genesys/scenarios.js';
import { ADA_EXPECTED, adaConversation, Cluster, clusterEnv, dedupeAdjacent, eventually, readyz, short, status } from './cluster-helpers.js';

const secret = makeSecret();
/** Genesys scripts play this many times faster than their own clock; the sequencer's windows shrink alike. */
const SPEED = 40;
let fake: FakeAgentAi;
let sim: GenesysSim;
let schema: string;
let cluster: Cluster;

beforeEach(async () => {
  fake = await FakeAgentAi.start({ bots: [BOT] });
  sim = await startSim();
  schema = freshSchema('cluster');
  cluster = new Cluster(
    clusterEnv(fake.url, schema, {
      ...liveEnv(sim, SPEED, { LOG_LEVEL: 'info' }),
      BRIDGE_ADAPTERS: 'genesys,ada',
      ADA_WEBHOOK_SECRETS: secret,
      ADA_ORDERING_BUFFER_MS: '10',
    }),
  );
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') process.stderr.write(cluster.report());
  await cluster.stop();
  await fake.close();
  await sim.close();
  await dropSchema(schema);
});

/** Posts each conversation's webhooks in order, spreading them over the replicas given (round robin). */
async function stream(ports: () => number[], conversations: readonly string[]): Promise<void> {
  await Promise.all(
    conversations.map(async (conv, c) => {
      for (const [i, payload] of adaConversation(conv).entries()) {
        // A replica that is gone (killed) or not answering: the next one takes the webhook, as a load balancer would.
        for (let attempt = 0; ; attempt++) {
          const list = ports();
          const port = list[(c + i + attempt) % list.length];
          const res = port === undefined ? undefined : await postSignedWebhook(`http://127.0.0.1:${port}`, secret, payload).catch(() => undefined);
          if (res?.status === 200) break;
          if (attempt > 200) throw new Error(`webhook ${i} of ${conv} not accepted`);
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    }),
  );
}

/** Every call once and in order, END_OF_CONVERSATION once; a call resent after an unknown outcome aside. */
function expectIntact(conversations: readonly string[]): void {
  for (const conv of conversations) {
    const labels = short(fake.labels(conv));
    expect(labels.filter((l) => l === 'END_OF_CONVERSATION'), conv).toHaveLength(1);
    expect(dedupeAdjacent(labels), conv).toEqual(ADA_EXPECTED);
  }
  // Agent AI's own order checks flag nothing but those resends (the same entry again).
  const resent = conversations.filter((c) => short(fake.labels(c)).length > ADA_EXPECTED.length);
  expect(fake.violations().filter((v) => !resent.some((c) => v.startsWith(`${c}: `)))).toEqual([]);
}

const endsOf = (conversations: readonly string[]) => () => conversations.every((c) => fake.labels(c).includes('END_OF_CONVERSATION'));

describe('a cluster of replicas on PostgreSQL', () => {
  it('two replicas: one leader holds the subscription, both take webhooks and deliver one stream in order, EOC once', async () => {
    const [a, b] = await Promise.all([cluster.add('replica-a'), cluster.add('replica-b')]);
    const leader = await cluster.leader(15_000);
    expect(sim.connectedSockets()).toBe(1);
    const conversations = Array.from({ length: 6 }, (_, i) => `two-${i}`);
    // A Genesys conversation through the leader's socket, at the same time.
    const genesys = new ScriptPlayer(sim).play(fixtureScript('standard'), { speed: SPEED });
    await stream(() => [a.port, b.port], conversations);
    await genesys;
    await fake.waitFor(endsOf([...conversations, CONVERSATIONS.standard]), 20_000);
    expectIntact(conversations);
    expect(fake.labels(CONVERSATIONS.standard)).toEqual([`NA entry ${USERS.alice.id}`, `NA exit ${USERS.alice.id}`, 'TRIGGER_SUMMARY_EVENT', 'END_OF_CONVERSATION']);
    // Nothing was resent: no replica lost a claim.
    for (const conv of conversations) expect(short(fake.labels(conv))).toEqual(ADA_EXPECTED);
    const follower = leader === a ? b : a;
    expect((await status(follower.port))?.replica).toMatchObject({ id: follower === a ? 'replica-a' : 'replica-b', role: 'follower', state: 'following' });
    expect((await status(leader.port))?.replica).toMatchObject({ role: 'leader', state: 'leading', ttlMs: 1500, heartbeatMs: 300 });
    expect(await readyz(follower.port)).toBe(200);
    // What the no-leader alert sums across replicas: 1 on the leader only; Genesys runs (connected) there only.
    const metrics = async (port: number): Promise<string> => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(await metrics(leader.port)).toMatch(/^bridge_replica_leader 1$[\s\S]*^bridge_adapter_connected\{adapter="genesys"\} 1$/m);
    const followerMetrics = await metrics(follower.port);
    expect(followerMetrics).toMatch(/^bridge_replica_leader 0$/m);
    expect(followerMetrics).not.toContain('bridge_adapter_connected{adapter="genesys"}');
    // Both replicas share one BRIDGE_DATA_DIR here: under postgres nothing is kept there (no store, no lock).
    expect(readdirSync(cluster.env.BRIDGE_DATA_DIR ?? '')).toEqual([]);
  }, 60_000);

  it('three replicas: SIGKILL of the leader mid-stream, another takes over; SIGTERM of the next hands over; nothing lost or doubled', async () => {
    // Started side by side: one after another, their start-ups alone took most of the budget on a loaded machine.
    await Promise.all(['r1', 'r2', 'r3'].map((id) => cluster.add(id)));
    const first = await cluster.leader(15_000);
    fake.inject({ delayMs: 150, times: 30 });
    const conversations = Array.from({ length: 6 }, (_, i) => `three-${i}`);
    const streaming = stream(() => cluster.alive().map((d) => d.port), conversations);
    await fake.waitFor(() => fake.calls().length >= 6, 15_000);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const second = await cluster.leader(15_000);
    expect(second).not.toBe(first);
    // The new leader's subscription carries Genesys conversations (its facts under the new epoch).
    expect(sim.connectedSockets()).toBe(1);
    const genesys = new ScriptPlayer(sim).play(fixtureScript('standard'), { speed: SPEED });
    await streaming;
    await genesys;
    await fake.waitFor(endsOf([...conversations, CONVERSATIONS.standard]), 30_000);
    expectIntact(conversations);
    expect(fake.labels(CONVERSATIONS.standard)).toEqual([`NA entry ${USERS.alice.id}`, `NA exit ${USERS.alice.id}`, 'TRIGGER_SUMMARY_EVENT', 'END_OF_CONVERSATION']);

    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    const third = await cluster.leader(10_000);
    expect([first, second]).not.toContain(third);
    expect(sim.connectedSockets()).toBe(1);
  }, 90_000);

  it('a leader paused past its lease (SIGSTOP) does not act as leader after SIGCONT, and what it had in flight is not sent twice', async () => {
    const [a, b] = await Promise.all([cluster.add('pause-a'), cluster.add('pause-b')]);
    const leader = await cluster.leader(15_000);
    const other = leader === a ? b : a;
    // Webhooks go to the leader, so it claims the conversations; Agent AI is slow, so calls are in flight.
    fake.inject({ delayMs: 800, times: 4 });
    const conversations = ['pause-1', 'pause-2'];
    await stream(() => [leader.port], conversations);
    await fake.waitFor(() => fake.calls().length >= 2, 10_000);
    leader.child.kill('SIGSTOP');
    const successor = await cluster.leader(15_000, [other]);
    expect(successor).toBe(other);
    await fake.waitFor(endsOf(conversations), 30_000);
    leader.child.kill('SIGCONT');
    // It wakes up, finds its term gone and stops its subscription; the successor stays the only leader.
    await eventually(async () => ((await status(leader.port))?.replica.role === 'follower' && sim.connectedSockets() === 1 ? true : undefined), 10_000, 'the paused replica follows again');
    expect(await cluster.leaders()).toEqual([other]);
    await new Promise((r) => setTimeout(r, 1_000)); // what it had in hand when it woke up must not go out now
    // A call on the wire at the pause had an unknown outcome: resent by the successor (never an EOC, see
    // DELIVERY_EOC_ON_UNKNOWN_OUTCOME); nothing else twice.
    expectIntact(conversations);
    for (const conv of conversations) {
      const labels = short(fake.labels(conv));
      expect(labels.length - dedupeAdjacent(labels).length, conv).toBeLessThanOrEqual(1);
    }
  }, 90_000);
});
