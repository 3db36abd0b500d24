// Issue 10 item 1: catch up after every start, not only after a socket gap. The bridge is stopped and started
// again on the same store against the same simulated org: conversations that ended while it was down get their
// exits and END_OF_CONVERSATION, those that started while it was down are found from the durable last-frame
// time, open voice conversations get their transcription topic back, and a catch-up a crash interrupts is
// done again at the next start.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeAgentAi } from '../../src/sim/agentai-receiver.js';
import { ScriptPlayer, type PlayedStep } from '../../src/sim/genesys/player.js';
import type { SimScript } from '../../src/sim/genesys/script.js';
import type { GenesysSim } from '../../src/sim/genesys/server.js';
import { CONVERSATIONS, USERS } from '../fixtures/genesys/scenarios.js';
import { BOT } from '../helpers/harness.js';
import { fixtureScript, labelsByConversation, logEvents, replayReference, startRig, startSim, until, untilAsync, waitForEnds, type LiveRig } from './helpers.js';

const SPEED = 40;
let dataDir: string;
let fake: FakeAgentAi;
let sim: GenesysSim;
const rigs: LiveRig[] = [];

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'bridge-restart-'));
  fake = await FakeAgentAi.start({ bots: [BOT] });
  sim = await startSim();
});

afterEach(async () => {
  for (const r of rigs.splice(0)) await r.close().catch(() => undefined);
  await fake.close();
  await sim.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function bridgeUp(env: NodeJS.ProcessEnv = {}): Promise<LiveRig> {
  const rig = await startRig(SPEED, env, {}, { dataDir, fake, sim });
  rigs.push(rig);
  return rig;
}

async function bridgeDown(rig: LiveRig): Promise<void> {
  rigs.splice(rigs.indexOf(rig), 1);
  await rig.close();
}

/** A bridge runs a while (heartbeats are frames: the last-frame time is stored), stops, and 'standard' is played
 * from start to end while no bridge runs. Returns the replay reference. */
async function standardWhileDown(): Promise<Map<string, string[]>> {
  const reference = await replayReference(['standard']);
  const first = await bridgeUp();
  // Until its last-frame time is durable (from the first heartbeat on), looked at rather than slept for.
  const deadline = Date.now() + 10_000;
  while ((await first.h.bridge.store.cursor('genesys:lastFrameAt')) === undefined) {
    if (Date.now() > deadline) throw new Error('the last-frame time was never stored');
    await new Promise((res) => setTimeout(res, 10));
  }
  await bridgeDown(first);
  await new ScriptPlayer(sim).play(fixtureScript('standard'), { speed: 80 });
  return reference;
}

/** The script from step `from` on, played as if it had never stopped (same scenario clock, shifted base). */
function tail(script: SimScript, from: number): { script: SimScript; baseMs: number } {
  const steps = script.steps.slice(from);
  const first = steps[0]?.offsetMs ?? 0;
  return { script: { ...script, steps }, baseMs: Date.now() - first / SPEED };
}

describe('catching up after a start', () => {
  it('conversations that end while the bridge is down get their exits and END_OF_CONVERSATION at the next start', async () => {
    const names = ['standard', 'consult-cancelled'] as const;
    const reference = await replayReference(names);
    const first = await bridgeUp();
    const player = new ScriptPlayer(sim);
    const played = Promise.all(names.map((n) => player.play(fixtureScript(n), { speed: SPEED })));
    await fake.waitFor(() => [CONVERSATIONS.standard, CONVERSATIONS.consultCancelled].every((id) => fake.labels(id).some((l) => l.startsWith('NA entry'))), 10_000);
    await bridgeDown(first);
    await played; // both end while no bridge runs; no socket of a running bridge ever dropped
    expect(fake.labels(CONVERSATIONS.standard)).not.toContain('END_OF_CONVERSATION');

    const second = await bridgeUp();
    await waitForEnds(second.h, reference.keys());
    await second.adapter.idle();
    await second.h.bridge.dispatcher.whenIdle();
    const live = labelsByConversation(second.h);
    for (const [id, labels] of reference) expect(live.get(id), id).toEqual(labels);
    expect(logEvents(second.h, 'genesys.reconciled').filter((e) => e.reasons === 'start').length).toBeGreaterThanOrEqual(1);
    expect(await second.h.bridge.store.openConversations()).toEqual([]);
    expect(fake.violations()).toEqual([]);
  }, 40_000);

  it('conversations that start and end while the bridge is down are found from the durable last-frame time', async () => {
    const reference = await standardWhileDown();

    const second = await bridgeUp();
    await waitForEnds(second.h, reference.keys());
    expect(fake.labels(CONVERSATIONS.standard)).toEqual(reference.get(CONVERSATIONS.standard));
    expect(sim.counters.analyticsQueries).toBeGreaterThanOrEqual(1);
  }, 40_000);

  it('an open voice conversation gets its transcription topic back after a restart, and its speech keeps coming', async () => {
    const reference = await replayReference(['transcription']);
    const script = fixtureScript('transcription');
    const topic = `v2.conversations.${CONVERSATIONS.transcription}.transcription`;
    const first = await bridgeUp();
    // Up to Alice connected (step 3), then the bridge restarts before any speech.
    const base = Date.now();
    await new ScriptPlayer(sim).play({ ...script, steps: script.steps.slice(0, 4) }, { speed: SPEED, baseMs: base });
    await fake.waitFor(() => fake.labels(CONVERSATIONS.transcription).includes(`NA entry ${USERS.alice.id}`), 10_000);
    await bridgeDown(first);
    await fake.waitFor(() => !sim.subscribedTopics().has(topic), 5_000); // the old socket is gone

    const second = await bridgeUp();
    await second.h.fake.waitFor(() => sim.subscribedTopics().has(topic), 10_000);
    const rest = tail(script, 4);
    await new ScriptPlayer(sim).play(rest.script, { speed: SPEED, baseMs: rest.baseMs });
    await waitForEnds(second.h, reference.keys());
    await second.h.bridge.dispatcher.whenIdle();
    expect(fake.labels(CONVERSATIONS.transcription)).toEqual(reference.get(CONVERSATIONS.transcription));
  }, 40_000);

  it('a catch-up that a crash interrupts is done again at the next start', async () => {
    const reference = await standardWhileDown();

    // The next start cannot finish its catch-up (the analytics query fails) and is stopped meanwhile; its
    // heartbeats must not move the durable last-frame time past the gap it did not reconcile.
    sim.failRequests(503, 1_000_000, 'POST', /analytics/);
    const second = await bridgeUp({ GENESYS_CURSOR_FLUSH_MS: '20' });
    const left = await second.h.bridge.store.cursor('genesys:lastFrameAt');
    // Several flushes of the cursor while heartbeats arrive and the catch-up fails: counted, not slept for.
    const frames = second.adapter.stats.frames;
    await until(() => logEvents(second.h, 'genesys.catch_up_retry').length >= 1 && second.adapter.stats.frames >= frames + 2 && second.adapter.cursorFlushes >= 5, 'catch-up retries and cursor flushes');
    const flushed = second.adapter.cursorFlushes;
    await until(() => second.adapter.cursorFlushes >= flushed + 2, 'two more cursor flushes');
    expect(await second.h.bridge.store.cursor('genesys:lastFrameAt')).toBe(left);
    expect(fake.labels(CONVERSATIONS.standard)).toEqual([]);
    await bridgeDown(second);

    sim.clearFailures();
    const third = await bridgeUp();
    await waitForEnds(third.h, reference.keys());
    expect(fake.labels(CONVERSATIONS.standard)).toEqual(reference.get(CONVERSATIONS.standard));
  }, 40_000);
});

describe('a callback held during the catch-up after a start', () => {
  it('keeps the stored last-frame time before it while held, though the catch-up ends while the socket is down', async () => {
    // The held callback is in memory only. When the catch-up ends while a socket gap is still being reconciled,
    // the catch-up's hold on the cursor goes: the cursor must still not pass the callback, or a crash then would
    // leave the next start's analytics query (which begins at the cursor) unable to find it again.
    const reference = await replayReference(['redial-new-outbound']);
    const script = fixtureScript('redial-new-outbound');
    const first = await bridgeUp();
    await new ScriptPlayer(sim).play({ ...script, steps: script.steps.slice(0, 4) }, { speed: SPEED, baseMs: Date.now() });
    await fake.waitFor(() => fake.labels(CONVERSATIONS.redialFirst).some((l) => l.startsWith('NA entry')), 10_000);
    await bridgeDown(first);

    const reread = new RegExp(`/api/v2/conversations/${CONVERSATIONS.redialFirst}$`);
    sim.delayRequests(3000, 1, reread); // the catch-up's re-read of the open conversation: slow
    const second = await bridgeUp({ GENESYS_CURSOR_FLUSH_MS: '20' });
    let released = false;
    const writtenWhileHeld: number[] = [];
    const ingest = second.h.bridge.pipeline.ingest.bind(second.h.bridge.pipeline);
    vi.spyOn(second.h.bridge.pipeline, 'ingest').mockImplementation(async (fact) => {
      if (fact.conversationId === CONVERSATIONS.redialOutbound) released = true;
      return ingest(fact);
    });
    const rest = tail(script, 4);
    const played = new ScriptPlayer(sim).play(rest.script, { speed: SPEED, baseMs: rest.baseMs });
    await until(() => second.adapter.stats.held > 0, 'the callback held during the catch-up');
    // What the store holds, looked at until the callback goes in.
    const watching = (async () => {
      while (!released) {
        const value = await second.h.bridge.store.cursor('genesys:lastFrameAt');
        if (value !== undefined) writtenWhileHeld.push(value);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    // The socket goes down and stays down until the catch-up is over; the gap's own re-read is slow too.
    sim.delayRequests(2000, 1, reread);
    const restore = sim.outage();
    await until(() => logEvents(second.h, 'genesys.socket_lost').length > 0 && logEvents(second.h, 'genesys.reconciled').length > 0, 'the catch-up over while the socket is down');
    restore();
    await played;
    await waitForEnds(second.h, reference.keys());
    await second.h.bridge.dispatcher.whenIdle();
    await watching;
    // Never past where it was when the callback was held (without the callback's own hold it moves on to the
    // socket gap's start once the catch-up is over).
    expect(writtenWhileHeld.length).toBeGreaterThan(0);
    expect(writtenWhileHeld.filter((v) => v > (writtenWhileHeld[0] ?? 0))).toEqual([]);
    expect(fake.labels(CONVERSATIONS.redialFirst)).toEqual(reference.get(CONVERSATIONS.redialFirst));
  }, 40_000);
});

describe('timers wait for the catch-up after a start', () => {
  it('a blind transfer pending when the bridge stopped, answered while it was down, stays cold after the start', async () => {
    const reference = await replayReference(['cold-chain']);
    // Transfer window 20 s of scenario time (0.5 s here). Alice's blind transfer (step 5, 140 s ≈ 3.5 s) is
    // stored, then the bridge stops; Bob answers (153.5 s) while it is down. At the next start the window is
    // long past on the local clock: only waiting for the catch-up keeps Alice's exit and Bob's entry cold.
    const env = { BRIDGE_TRANSFER_SETTLE_MS: String(20_000 / SPEED) };
    const first = await bridgeUp(env);
    let transfer: PlayedStep | undefined;
    const played = new ScriptPlayer(sim).play(fixtureScript('cold-chain'), {
      speed: SPEED,
      onStep: (step) => {
        if (sim.counters.published === 5) transfer = step;
      },
    });
    // The bridge stops once the blind transfer is in its store (its platform time reached), not after a guess.
    await until(() => transfer !== undefined, 'the blind transfer played', 10_000);
    const transferAt = transfer?.platformAt ?? Infinity;
    await untilAsync(async () => ((await first.h.bridge.store.conversation(CONVERSATIONS.coldChain))?.clock?.platformAt ?? 0) >= transferAt, 'the blind transfer stored');
    await bridgeDown(first);
    // Bob answers while no bridge runs: the step after the transfer has been published.
    await until(() => sim.counters.published >= 6, 'Bob answered while the bridge was down', 10_000);
    // A slow login: the bridge's timer loop runs for a while before the adapter can re-read anything.
    sim.delayRequests(300, 1, /\/oauth\/token$/);
    const second = await bridgeUp(env);
    await played;
    await waitForEnds(second.h, reference.keys());
    await second.h.bridge.dispatcher.whenIdle();
    expect(fake.labels(CONVERSATIONS.coldChain)).toEqual(reference.get(CONVERSATIONS.coldChain));
  }, 40_000);
});
