// Faults in the middle of live conversations: each must lose no event and duplicate none, i.e. every
// conversation's hook sequence equals the replay reference exactly.
import { afterEach, describe, expect, it } from 'vitest';
import { ScriptPlayer } from '../../src/sim/genesys/player.js';
import { CONVERSATIONS } from '../fixtures/genesys/scenarios.js';
import { fixtureScript, labelsByConversation, logLines, replayReference, startRig, waitForEnds, type LiveRig } from './helpers.js';

const SPEED = 80;
// Short scenarios (≈3–4.5 s at 80×), with transfers and consults, so seven faults fit in a few seconds each.
const NAMES = ['standard', 'consult-cancelled', 'conference'] as const;

let rig: LiveRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

async function playWithFault(fault: (r: LiveRig) => void, atMs: number, env: NodeJS.ProcessEnv = {}, simOptions = {}): Promise<void> {
  const reference = await replayReference(NAMES);
  rig = await startRig(SPEED, env, simOptions);
  const r = rig;
  const player = new ScriptPlayer(r.sim);
  const timer = setTimeout(() => fault(r), atMs);
  await Promise.all(NAMES.map((name) => player.play(fixtureScript(name), { speed: SPEED })));
  clearTimeout(timer);
  await waitForEnds(r.h, reference.keys());
  await r.adapter.idle();
  await r.h.bridge.dispatcher.whenIdle();
  const live = labelsByConversation(r.h);
  for (const [id, labels] of reference) expect(live.get(id), id).toEqual(labels);
  expect(r.h.fake.violations()).toEqual([]);
}

describe('live adapter: faults lose nothing and duplicate nothing', () => {
  it('a socket drop mid-conversation: reconnect to the same channel, reconcile', async () => {
    await playWithFault((r) => r.sim.dropSockets(), 1000);
    expect(rig?.adapter.stats.reconnects).toBeGreaterThanOrEqual(1);
    expect(rig?.sim.counters.channelsCreated).toBe(1);
    expect(logLines(rig!.h, 'reconnected to the same channel').length).toBeGreaterThanOrEqual(1);
  }, 40_000);

  it('v2.system.socket_closing: roll over to a new channel with overlap', async () => {
    await playWithFault((r) => r.sim.socketClosing(), 1000, {}, { closingGraceMs: 500 });
    expect(rig?.sim.counters.channelsCreated).toBe(2);
    expect(logLines(rig!.h, 'rolled over to a new channel')).toHaveLength(1);
  }, 40_000);

  it('a channel 404 (expired): a new channel, resubscribed, reconciled', async () => {
    await playWithFault((r) => r.sim.expireChannels(), 1000);
    expect(rig?.sim.counters.channelsCreated).toBe(2);
    expect(logLines(rig!.h, 'channel replaced and resubscribed').length).toBeGreaterThanOrEqual(1);
  }, 40_000);

  it('a token expiry: renewed on 401, channels of the dead token replaced', async () => {
    await playWithFault((r) => r.sim.expireTokens(), 1000);
    expect(rig?.sim.counters.tokens).toBeGreaterThanOrEqual(2);
    expect(logLines(rig!.h, 'access token renewed').length).toBeGreaterThanOrEqual(1);
  }, 40_000);

  it('scheduled renewal before expiry rolls the channels over, with no gap', async () => {
    // Tokens live 2 s and are renewed 1.5 s before expiry: at least one renewal during the scenarios.
    await playWithFault(() => undefined, 0, { GENESYS_TOKEN_RENEW_BEFORE_EXPIRY_MS: '1500' }, { tokenTtlSeconds: 2 });
    expect(logLines(rig!.h, 'access token renewed').length).toBeGreaterThanOrEqual(1);
    expect(logLines(rig!.h, 'rolled over to a new channel').length).toBeGreaterThanOrEqual(1);
  }, 40_000);

  it('channels roll over before their expiry, with no gap (channels live 3 s here, 24 h in Genesys)', async () => {
    await playWithFault(() => undefined, 0, { GENESYS_CHANNEL_ROLLOVER_BEFORE_EXPIRY_MS: '1500' }, { channelTtlMs: 3000 });
    expect(rig?.sim.counters.channelsCreated).toBeGreaterThanOrEqual(2);
    expect(logLines(rig!.h, 'rolled over to a new channel').length).toBeGreaterThanOrEqual(1);
    expect(logLines(rig!.h, 'channel replaced').length).toBe(0); // rolled over ahead of time, never lost to expiry
  }, 40_000);

  it('a silent socket (no heartbeats): the watchdog pings, gets no pong, reconnects and reconciles', async () => {
    await playWithFault((r) => r.sim.mute(1200), 1000);
    expect(rig?.sim.counters.pings).toBeGreaterThanOrEqual(1);
    expect(rig?.adapter.stats.reconnects).toBeGreaterThanOrEqual(1);
    expect(logLines(rig!.h, 'no pong').length).toBeGreaterThanOrEqual(1);
  }, 40_000);

  it('a socket silent for a while that speaks again (a half-open network that healed): what it missed is reconciled', async () => {
    // Silent from 2.5 s to 5 s, across the last frames of every scenario; the ping waits 4 s for its pong, so
    // the socket is never declared lost: only the silence itself says events may be missing.
    await playWithFault((r) => r.sim.mute(2500), 2500, { GENESYS_PING_TIMEOUT_MS: '4000' });
    expect(rig?.adapter.stats.reconnects).toBe(0);
    expect(logLines(rig!.h, 'the socket was silent, then spoke again').length).toBeGreaterThanOrEqual(1);
  }, 40_000);

  it('429s with Retry-After are waited out', async () => {
    await playWithFault((r) => r.sim.rateLimit(3, 1), 800, {}, {});
    expect(rig?.sim.counters.rateLimited).toBe(3);
  }, 40_000);

  it('an outage across the end of a conversation: its exits and EOC still come (reconciliation)', async () => {
    // standard ends at 211.9 s (≈2.65 s at 80×); the socket is down from 1.5 s to 3.5 s.
    await playWithFault((r) => r.sim.outage(2000), 1500);
    expect(logLines(rig!.h, 'reconciled after a gap').length).toBeGreaterThanOrEqual(1);
    expect(rig?.sim.counters.conversationGets).toBeGreaterThanOrEqual(1);
    expect(rig?.h.fake.labels(CONVERSATIONS.standard).at(-1)).toBe('END_OF_CONVERSATION');
  }, 40_000);
});
