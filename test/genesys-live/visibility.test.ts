// Issue 10 item 2 (adapter side): timers never decide on missing information.
// - The same live scenario played with platform timestamps months in the past and with current ones gives the
//   same hooks: timers run on the platform clock as observed, never by comparing platform and local time.
// - A new outbound call to a customer whose earlier conversation dropped unseen (in a socket gap) is held until
//   that gap is reconciled, so the callback continues the original conversation (a redial), as in replay.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ScriptPlayer } from '../../src/sim/genesys/player.js';
import { scriptFromJsonl } from '../../src/sim/genesys/script.js';
import { CONVERSATIONS } from '../fixtures/genesys/scenarios.js';
import { fixtureScript, labelsByConversation, logEvents, replayReference, replayTexts, startRig, waitForEnds, type LiveRig } from './helpers.js';
import { SAME_INSTANT_FIXTURE } from './same-instant-fixture.js';

const SPEED = 40;
/** The long scenarios of the clock test play faster (windows scale with it). */
const CLOCK_SPEED = 80;
const MONTHS = 90 * 24 * 3600_000;

let rig: LiveRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

async function playAt(platformOffsetMs: number): Promise<Map<string, string[]>> {
  rig = await startRig(CLOCK_SPEED);
  const r = rig;
  const player = new ScriptPlayer(r.sim);
  const scripts = [fixtureScript('cold-chain'), fixtureScript('redial-in-conversation'), fixtureScript('consult-cancelled'), scriptFromJsonl('same-instant', readFileSync(SAME_INSTANT_FIXTURE, 'utf8'))];
  await Promise.all(scripts.map((s) => player.play(s, { speed: CLOCK_SPEED, platformOffsetMs })));
  const reference = await replayTexts([...['cold-chain', 'redial-in-conversation', 'consult-cancelled'].map((n) => readFileSync(new URL(`../fixtures/genesys/${n}.jsonl`, import.meta.url), 'utf8')), readFileSync(SAME_INSTANT_FIXTURE, 'utf8')]);
  await waitForEnds(r.h, reference.keys());
  await r.adapter.idle();
  await r.h.bridge.dispatcher.whenIdle();
  const live = labelsByConversation(r.h);
  for (const [id, labels] of reference) expect(live.get(id), id).toEqual(labels);
  await r.close();
  rig = undefined;
  return live;
}

describe('timers on the platform clock', () => {
  it('timestamps months in the past and current timestamps give identical hook sequences', async () => {
    const past = await playAt(-MONTHS);
    const now = await playAt(0);
    expect(past).toEqual(now);
  }, 60_000);
});

describe('a callback after a gap', () => {
  it('is held until the gap is reconciled, so it continues the dropped conversation', async () => {
    const reference = await replayReference(['redial-new-outbound']);
    rig = await startRig(SPEED);
    const r = rig;
    // …08 drops at its step 4 (119.7 s, ≈3.0 s at 40×) while the socket is down (from its step 3 until step 4
    // is out); the callback …09 starts at step 5 (160 s, 4.0 s), after the socket is back but while the re-read
    // of …08 is still slow.
    let restore: (() => void) | undefined;
    await new ScriptPlayer(r.sim).play(fixtureScript('redial-new-outbound'), {
      speed: SPEED,
      onStep: (step) => {
        if (step.index === 3) {
          r.sim.delayRequests(1500, 1, new RegExp(`/api/v2/conversations/${CONVERSATIONS.redialFirst}$`));
          restore = r.sim.outage();
        }
        if (step.index === 4) restore?.();
      },
    });
    await waitForEnds(r.h, reference.keys());
    await r.adapter.idle();
    await r.h.bridge.dispatcher.whenIdle();
    const live = labelsByConversation(r.h);
    for (const [id, labels] of reference) expect(live.get(id), id).toEqual(labels);
    expect([...live.keys()]).toEqual([...reference.keys()]);
    expect(r.adapter.stats.held).toBe(1);
    expect(logEvents(r.h, 'genesys.held_for_gap')).toHaveLength(1);
  }, 40_000);

  it('goes in before the timers are let go, so the redial window cannot close on it first', async () => {
    rig = await startRig(SPEED);
    const r = rig;
    // Record, in order, when the adapter stops being blind and when the held callback's facts are committed.
    const timeline: string[] = [];
    const visibility = r.h.bridge.visibility;
    const ingest = r.h.bridge.pipeline.ingest.bind(r.h.bridge.pipeline);
    vi.spyOn(r.h.bridge.pipeline, 'ingest').mockImplementation(async (fact) => {
      const outcome = await ingest(fact);
      if (fact.conversationId === CONVERSATIONS.redialOutbound) timeline.push(`callback ${fact.type} committed; blind: ${JSON.stringify(visibility.blindReasons())}`);
      return outcome;
    });
    setTimeout(() => {
      r.sim.delayRequests(1500, 1, new RegExp(`/api/v2/conversations/${CONVERSATIONS.redialFirst}$`));
      r.sim.outage(400);
    }, 2800);
    await new ScriptPlayer(r.sim).play(fixtureScript('redial-new-outbound'), { speed: SPEED });
    await waitForEnds(r.h, [CONVERSATIONS.redialFirst]);
    // The first of the callback's facts was committed while the source still counted as blind.
    expect(timeline[0]).toMatch(/callback agent\.joined committed; blind: \{"genesys":\[/);
  }, 40_000);
});

describe('timers wait while the socket is down', () => {
  it('a blind transfer whose successor is only learnt by reconciliation after the transfer window stays cold', async () => {
    const reference = await replayReference(['cold-chain']);
    // A transfer window of 20 s of scenario time (0.5 s here): Alice's blind transfer at 140 s (step 4, 3.5 s at
    // 40×); Bob answers at 153.5 s (step 6), inside the window on the platform's clock, but while the socket is
    // down (from step 4 until step 7, 170.5 s, is out), so the bridge learns it only after the window has
    // passed on its own clock.
    rig = await startRig(SPEED, { BRIDGE_TRANSFER_SETTLE_MS: String(20_000 / SPEED) });
    const r = rig;
    let restore: (() => void) | undefined;
    await new ScriptPlayer(r.sim).play(fixtureScript('cold-chain'), {
      speed: SPEED,
      onStep: (step) => {
        if (step.index === 4) restore = r.sim.outage();
        if (step.index === 7) restore?.();
      },
    });
    await waitForEnds(r.h, reference.keys());
    await r.adapter.idle();
    await r.h.bridge.dispatcher.whenIdle();
    expect(logEvents(r.h, 'genesys.reconciled').length).toBeGreaterThanOrEqual(1);
    expect(r.h.fake.labels(CONVERSATIONS.coldChain)).toEqual(reference.get(CONVERSATIONS.coldChain));
  }, 40_000);
});

describe('a conversation waiting out its redial window', () => {
  it('is still re-read after a gap, though every leg of it is over', async () => {
    // …08: the customer's leg drops (error) and Alice's follows: every leg is over, but the store keeps the
    // conversation open for its redial window (120 s of scenario time, 3 s here). A gap in that window must
    // re-read it, or a redial leg lost in the gap is never learnt.
    rig = await startRig(SPEED);
    const r = rig;
    const script = fixtureScript('redial-new-outbound');
    const upToDrop = script.steps.filter((s) => s.body.id === CONVERSATIONS.redialFirst && s.offsetMs <= 120_000);
    await new ScriptPlayer(r.sim).play({ ...script, steps: upToDrop }, { speed: SPEED });
    await r.adapter.idle();
    await r.h.bridge.pipeline.flush();
    expect((await r.h.bridge.store.openConversations()).map((c) => c.id)).toEqual([CONVERSATIONS.redialFirst]);
    const gets = r.sim.counters.conversationGets;
    r.sim.dropSockets();
    // The pass after the drop (its reasons name the gap), not the one at start.
    const afterGap = (): Record<string, unknown> | undefined => logEvents(r.h, 'genesys.reconciled').find((e) => String(e.reasons).includes('gap ('));
    await r.h.fake.waitFor(() => afterGap() !== undefined, 10_000);
    expect(r.sim.counters.conversationGets).toBeGreaterThan(gets);
    expect(afterGap()).toMatchObject({ refreshed: 1 });
  }, 30_000);
});
