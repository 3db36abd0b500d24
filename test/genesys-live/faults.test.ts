// Faults in the middle of live conversations: each must lose no event and duplicate none, i.e. every
// conversation's hook sequence equals the replay reference exactly. A fault is tied to a step of a script (it
// fires right after that step is published), and a fault that lasts ends on an event (the bridge noticed, or a
// later step was published), never after a fixed time: under load the fault still lands at the same point of
// the conversations.
import { afterEach, describe, expect, it } from 'vitest';
import { ScriptPlayer, type PlayedStep } from '../../src/sim/genesys/player.js';
import { CONVERSATIONS } from '../fixtures/genesys/scenarios.js';
import { fixtureScript, labelsByConversation, logEvents, replayReference, startRig, until, waitForEnds, type LiveRig } from './helpers.js';

const SPEED = 80;
// Short scenarios (≈3–4.5 s at 80×), with transfers and consults, so seven faults fit in a few seconds each.
const NAMES = ['standard', 'consult-cancelled', 'conference'] as const;

/** Where a fault fires: right after step `afterStep` of `script` was published. */
interface At {
  readonly script: (typeof NAMES)[number];
  readonly afterStep: number;
}
// consult-cancelled's step 4 (the consult starting, ≈1 s in): every conversation is connected and under way.
const MID: At = { script: 'consult-cancelled', afterStep: 4 };
// standard's step 3 (its agent connected, ≈0.4 s in), before its hang-up at step 4.
const BEFORE_STANDARD_ENDS: At = { script: 'standard', afterStep: 3 };
// standard's last step (its conversation ended).
const STANDARD_ENDED: At = { script: 'standard', afterStep: 6 };

let rig: LiveRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

async function playWithFault(fault: (r: LiveRig, steps: StepWatch) => void | Promise<void>, at: At | undefined, env: NodeJS.ProcessEnv = {}, simOptions = {}): Promise<void> {
  const reference = await replayReference(NAMES);
  rig = await startRig(SPEED, env, simOptions);
  const r = rig;
  const player = new ScriptPlayer(r.sim);
  const steps = new StepWatch();
  let faulted: Promise<void> = Promise.resolve();
  const onStep = (step: PlayedStep): void => {
    steps.seen(step);
    if (at && step.script === at.script && step.index === at.afterStep) faulted = Promise.resolve(fault(r, steps));
  };
  await Promise.all(NAMES.map((name) => player.play(fixtureScript(name), { speed: SPEED, onStep })));
  await faulted;
  await waitForEnds(r.h, reference.keys());
  await r.adapter.idle();
  await r.h.bridge.dispatcher.whenIdle();
  const live = labelsByConversation(r.h);
  for (const [id, labels] of reference) expect(live.get(id), id).toEqual(labels);
  expect(r.h.fake.violations()).toEqual([]);
}

/** Which steps have been published, for faults that end when a later step is out. */
class StepWatch {
  private readonly published = new Set<string>();
  seen(step: PlayedStep): void {
    this.published.add(`${step.script}#${step.index}`);
  }
  has(at: At): boolean {
    return this.published.has(`${at.script}#${at.afterStep}`);
  }
}

describe('live adapter: faults lose nothing and duplicate nothing', () => {
  it('a socket drop mid-conversation: reconnect to the same channel, reconcile', async () => {
    await playWithFault((r) => void r.sim.dropSockets(), MID);
    expect(rig?.adapter.stats.reconnects).toBeGreaterThanOrEqual(1);
    expect(rig?.sim.counters.channelsCreated).toBe(1);
    expect(logEvents(rig!.h, 'genesys.reconnected').length).toBeGreaterThanOrEqual(1);
  }, 40_000);

  it('v2.system.socket_closing: roll over to a new channel with overlap', async () => {
    await playWithFault((r) => void r.sim.socketClosing(), MID, {}, { closingGraceMs: 500 });
    expect(rig?.sim.counters.channelsCreated).toBe(2);
    expect(logEvents(rig!.h, 'genesys.rolled_over')).toHaveLength(1);
  }, 40_000);

  it('a channel 404 (expired): a new channel, resubscribed, reconciled', async () => {
    await playWithFault((r) => void r.sim.expireChannels(), MID);
    expect(rig?.sim.counters.channelsCreated).toBe(2);
    expect(logEvents(rig!.h, 'genesys.channel_replaced').length).toBeGreaterThanOrEqual(1);
  }, 40_000);

  it('a token expiry: renewed on 401, channels of the dead token replaced', async () => {
    await playWithFault((r) => void r.sim.expireTokens(), MID);
    expect(rig?.sim.counters.tokens).toBeGreaterThanOrEqual(2);
    expect(logEvents(rig!.h, 'genesys.token_renewed').length).toBeGreaterThanOrEqual(1);
  }, 40_000);

  it('scheduled renewal before expiry rolls the channels over, with no gap', async () => {
    // Tokens live 2 s and are renewed 1.5 s before expiry: at least one renewal during the scenarios.
    await playWithFault(() => undefined, undefined, { GENESYS_TOKEN_RENEW_BEFORE_EXPIRY_MS: '1500' }, { tokenTtlSeconds: 2 });
    expect(logEvents(rig!.h, 'genesys.token_renewed').length).toBeGreaterThanOrEqual(1);
    expect(logEvents(rig!.h, 'genesys.rolled_over').length).toBeGreaterThanOrEqual(1);
  }, 40_000);

  it('channels roll over before their expiry, with no gap (channels live 3 s here, 24 h in Genesys)', async () => {
    await playWithFault(() => undefined, undefined, { GENESYS_CHANNEL_ROLLOVER_BEFORE_EXPIRY_MS: '1500' }, { channelTtlMs: 3000 });
    expect(rig?.sim.counters.channelsCreated).toBeGreaterThanOrEqual(2);
    expect(logEvents(rig!.h, 'genesys.rolled_over').length).toBeGreaterThanOrEqual(1);
    expect(logEvents(rig!.h, 'genesys.channel_replaced').length).toBe(0); // rolled over ahead of time, never lost to expiry
  }, 40_000);

  it('a silent socket (no heartbeats): the watchdog pings, gets no pong, reconnects and reconciles', async () => {
    // Silent until the bridge gives the socket up (no pong to its health check); then the network heals.
    await playWithFault(async (r) => {
      const heal = r.sim.mute();
      await until(() => logEvents(r.h, 'genesys.socket_lost').some((e) => e.cause === 'no-pong'), 'the health check giving up');
      heal();
    }, MID);
    expect(rig?.sim.counters.pings).toBeGreaterThanOrEqual(1);
    expect(rig?.adapter.stats.reconnects).toBeGreaterThanOrEqual(1);
    expect(logEvents(rig!.h, 'genesys.socket_lost').filter((e) => e.cause === 'no-pong').length).toBeGreaterThanOrEqual(1);
  }, 40_000);

  it('a socket silent for a while that speaks again (a half-open network that healed): what it missed is reconciled', async () => {
    // The socket hears nothing from before standard's hang-up until the bridge's health-check ping has reached
    // the org and standard has ended meanwhile; the pong would be waited for 20 s, so the socket is never
    // declared lost: only the silence itself says events may be missing.
    await playWithFault(async (r, steps) => {
      const heal = r.sim.mute();
      const pings = r.sim.counters.pings;
      await until(() => r.sim.counters.pings > pings && steps.has(STANDARD_ENDED), 'a health-check ping after standard ended');
      heal();
    }, BEFORE_STANDARD_ENDS, { GENESYS_PING_TIMEOUT_MS: '20000' });
    expect(rig?.adapter.stats.reconnects).toBe(0);
    expect(logEvents(rig!.h, 'genesys.socket_lost')).toEqual([]);
    expect(logEvents(rig!.h, 'genesys.reconciled').length).toBeGreaterThanOrEqual(1);
    expect(rig?.h.fake.labels(CONVERSATIONS.standard).at(-1)).toBe('END_OF_CONVERSATION');
  }, 40_000);

  it('429s with Retry-After are waited out', async () => {
    await playWithFault((r) => r.sim.rateLimit(3, 1), MID);
    expect(rig?.sim.counters.rateLimited).toBe(3);
  }, 40_000);

  it('an outage across the end of a conversation: its exits and EOC still come (reconciliation)', async () => {
    // The socket is down from before standard's hang-up until after its last step.
    await playWithFault(async (r, steps) => {
      const restore = r.sim.outage();
      await until(() => steps.has(STANDARD_ENDED), "standard's last step");
      restore();
    }, BEFORE_STANDARD_ENDS);
    expect(logEvents(rig!.h, 'genesys.reconciled').length).toBeGreaterThanOrEqual(1);
    expect(rig?.sim.counters.conversationGets).toBeGreaterThanOrEqual(1);
    expect(rig?.h.fake.labels(CONVERSATIONS.standard).at(-1)).toBe('END_OF_CONVERSATION');
  }, 40_000);
});
