// Every fixture scenario played by the simulated org, through the SDK and the websocket, into the bridge:
// each conversation's Agent AI hook sequence must equal what `replay` of the same frames produces.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScriptPlayer } from '../../src/sim/genesys/player.js';
import { CONVERSATIONS, USERS } from '../fixtures/genesys/scenarios.js';
import { FIXTURE_NAMES, fixtureScript, labelsByConversation, replayReference, startRig, waitForEnds, type LiveRig } from './helpers.js';

const SPEED = 40;
// Every scenario's customer has the same phone number; the outbound redial must not be matched to another
// scenario's drop, so it plays alone once the others are done (in replay they are hours apart anyway).
const ALONE = 'redial-new-outbound';

describe('live adapter × simulated org: every fixture scenario', () => {
  let rig: LiveRig;
  let reference: Map<string, string[]>;

  beforeAll(async () => {
    reference = await replayReference(FIXTURE_NAMES);
    // The fixtures' digital messages have no text in the simulated org (the fidelity tests seed texts): each is
    // given up on quickly as a visible dead letter instead of holding its conversation for ten minutes.
    rig = await startRig(SPEED, { GENESYS_CONVERSATION_TOPICS: 'conversations,conversations.calls', GENESYS_MESSAGE_TEXT_DEADLINE_MS: '300' });
  }, 30_000);

  afterAll(async () => {
    await rig?.close();
  });

  it('plays all scenarios concurrently and matches replay, conversation by conversation', async () => {
    const player = new ScriptPlayer(rig.sim);
    await Promise.all(FIXTURE_NAMES.filter((n) => n !== ALONE).map((name) => player.play(fixtureScript(name), { speed: SPEED })));
    await player.play(fixtureScript(ALONE), { speed: SPEED });
    await waitForEnds(rig.h, reference.keys());
    await rig.adapter.idle();
    await rig.h.bridge.dispatcher.whenIdle();
    const live = labelsByConversation(rig.h);
    for (const [id, labels] of reference) expect(live.get(id), id).toEqual(labels);
    expect([...live.keys()].sort()).toEqual([...reference.keys()].sort());
    expect(rig.h.fake.violations()).toEqual([]);
    // Spot checks that the reference itself is what the scenarios mean.
    expect(reference.get(CONVERSATIONS.standard)).toEqual([`NA entry ${USERS.alice.id}`, `NA exit ${USERS.alice.id}`, 'TRIGGER_SUMMARY_EVENT', 'END_OF_CONVERSATION']);
    expect(reference.get(CONVERSATIONS.transcription)?.filter((l) => l.startsWith('message'))).toHaveLength(4);
    expect(reference.get(CONVERSATIONS.supervisor)).toEqual([`NA entry ${USERS.alice.id}`, `warm entry ${USERS.dave.id}`, `warm exit ${USERS.dave.id}`, `NA exit ${USERS.alice.id}`, 'TRIGGER_SUMMARY_EVENT', 'END_OF_CONVERSATION']);
    expect(live.has(CONVERSATIONS.digitalConsult)).toBe(false);
    // Live, the adapter saw and left out the same things: supervisors listening in, the in-queue announcement
    // and the IVR prompts (the transcription topic is subscribed at the first call leg; the first prompt comes
    // 150 ms after it at 40×, which a loaded machine may not make), bot and consult messages.
    const ignored = await rig.h.bridge.metrics.adapterIgnored.get();
    const count = (reason: string): number => ignored.values.find((v) => v.labels.reason === reason)?.value ?? 0;
    expect(count('supervisor-monitor')).toBe(3);
    expect(count('supervisor-coach')).toBe(1);
    expect(count('internal-speech-without-agent')).toBeGreaterThanOrEqual(2);
    expect(count('internal-speech-without-agent')).toBeLessThanOrEqual(3);
    expect(count('non-agent-message')).toBe(2);
    expect(count('consult-message')).toBe(2);
    expect(count('consult-initiator')).toBe(1);
    expect(count('no-customer')).toBe(2);
  }, 60_000);
});
