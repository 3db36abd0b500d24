// The issue-13 fixtures (what real orgs send beyond the plain flows) fed line by line through one processor.
import { describe, expect, it } from 'vitest';
import type { Fact } from '../../../src/core/facts.js';
import { CONVERSATIONS, QUEUE_SUPPORT, USERS } from '../../../test/fixtures/genesys/scenarios.js';
import { FIDELITY_FIXTURES } from '../../../test/fixtures/genesys/fidelity-scenarios.js';
import { GenesysFrameProcessor, type IgnoredInput } from '../frame-processor.js';
import { FIXED_NOW, feed, ofType, readFixture, summarise } from './helpers.js';

function run(name: string, options: { internalSpeechWithoutAgent?: 'drop' | 'keep' } = {}) {
  const ignored: IgnoredInput[] = [];
  const processor = new GenesysFrameProcessor({ now: () => FIXED_NOW, onIgnored: (reason) => ignored.push(reason), ...options });
  const { facts, results } = feed(readFixture(name), processor);
  return { facts, results, ignored, sequence: (id?: string) => facts.filter((f) => id === undefined || f.conversationId === id).map(summarise) };
}

const at = (facts: readonly Fact[], summary: string): number | undefined => facts.find((f) => summarise(f) === summary)?.at;

describe('supervisors', () => {
  const BARGED = ['joined alice(routing)', 'joined dave(conference)', 'left dave(hangup)', 'left alice(hangup)', 'customer.left(hangup)', 'ended'];

  it('a monitor and a coach produce nothing; a barge-in is an agent joining, and leaving', () => {
    const { sequence, ignored, facts } = run('supervisor-barge');
    expect(sequence()).toEqual(BARGED);
    expect(facts.some((f) => 'agent' in f && f.agent.identity === USERS.carol.id)).toBe(false);
    expect(ignored).toEqual(['supervisor-monitor', 'supervisor-coach']);
    // Dave joins when he barges in (calls[].bargedTime), not when he started listening.
    expect(at(facts, 'joined dave(conference)')).toBe(Date.parse('2026-05-04T11:12:30.000Z'));
  });

  it('the flattened shape: a monitor who stays silent produces nothing, one who becomes a full participant joins', () => {
    const { sequence, ignored } = run('supervisor-flattened');
    expect(sequence()).toEqual(BARGED);
    expect(ignored).toEqual(['supervisor-monitor', 'supervisor-monitor']);
  });
});

describe('consults that complete', () => {
  const completed = ['joined alice(routing)', 'joined bob(consult)', 'left alice(consult)', 'left bob(hangup)', 'customer.left(hangup)', 'ended'];

  it('customer on hold with music (confined, not held): the consulted agent stays with the customer', () => {
    expect(run('consult-confined').sequence()).toEqual(completed);
  });

  it('flattened, customer never held: consultParticipantId alone makes it a consult', () => {
    expect(run('consult-flattened').sequence()).toEqual(completed);
  });
});

describe('digital consult in a conversation of its own', () => {
  it("the consulted agent enters and leaves the customer's conversation; the consult itself is never a conversation", () => {
    const { facts, ignored, results } = run('digital-consult');
    expect(facts.map((f) => f.conversationId).every((id) => id === CONVERSATIONS.digitalParent)).toBe(true);
    expect(facts.map(summarise)).toEqual([
      'joined alice(routing)',
      'joined bob(consult)',
      'left bob(hangup)',
      'left alice(hangup)',
      'customer.left(hangup)',
      'ended',
    ]);
    const bob = ofType(facts, 'agent.joined').find((f) => f.agent.identity === USERS.bob.id);
    expect(bob).toMatchObject({ experience: 'chat', dedupeKey: `genesys:${CONVERSATIONS.digitalConsult}:dck-bob:dck-bob-msg:joined` });
    // Alice's own leg in the consult and the agents' messages there are not the customer conversation's.
    expect(ignored).toEqual(['consult-initiator', 'consult-message', 'consult-message']);
    const refs = results.flatMap((r) => r.digitalMessages);
    expect(refs.map((r) => r.conversationId).every((id) => id === CONVERSATIONS.digitalParent)).toBe(true);
    expect(refs).toHaveLength(4);
  });

  it('the link works from either side: a consult named only by its parent is related too', () => {
    const lines = readFixture('digital-consult').map((line) => line.replace(/"associatedConversation":\{"id":"[^"]+"\},/g, ''));
    expect(lines.join('\n')).not.toContain('associatedConversation');
    const { facts } = feed(lines);
    expect(facts.filter((f) => f.conversationId === CONVERSATIONS.digitalConsult)).toEqual([]);
    expect(facts.filter((f) => 'agent' in f && f.agent.identity === USERS.bob.id).map(summarise)).toEqual(['joined bob(consult)', 'left bob(hangup)']);
  });
});

describe('messages and speech that are not the agent', () => {
  it("a bot flow's messages are not forwarded; the customer's and the agent's are", () => {
    const { results, ignored, sequence } = run('messaging-bot');
    expect(sequence()).toEqual(['joined alice(routing)', 'left alice(hangup)', 'customer.left(hangup)', 'ended']);
    const refs = results.flatMap((r) => r.digitalMessages);
    expect(refs.map((r) => `${r.participantId}:${r.direction}`)).toEqual([
      'bot-customer:inbound',
      'bot-customer:inbound',
      'bot-alice:outbound',
      'bot-customer:inbound',
    ]);
    expect(ignored).toEqual(['non-agent-message', 'non-agent-message']);
  });

  it('INTERNAL speech with no agent connected (IVR prompts, an in-queue announcement) is dropped and counted', () => {
    const { sequence, ignored } = run('ivr-speech');
    expect(sequence()).toEqual([
      'joined alice(routing)',
      'message AGENT(?) ivs-u-0003',
      'message USER ivs-u-0004',
      'left alice(transfer)',
      'joined bob(transfer)',
      'message AGENT(?) ivs-u-0006',
      'message USER ivs-u-0007',
      'left bob(hangup)',
      'customer.left(hangup)',
      'ended',
    ]);
    expect(ignored).toEqual(['internal-speech-without-agent', 'internal-speech-without-agent', 'internal-speech-without-agent']);
  });

  it('with internalSpeechWithoutAgent "keep", that speech is kept as agent messages (the old reading)', () => {
    const { sequence, ignored } = run('ivr-speech', { internalSpeechWithoutAgent: 'keep' });
    expect(sequence().filter((s) => s.startsWith('message'))).toEqual([
      'message AGENT(?) ivs-u-0001',
      'message AGENT(?) ivs-u-0002',
      'message AGENT(?) ivs-u-0003',
      'message USER ivs-u-0004',
      'message AGENT(?) ivs-u-0005',
      'message AGENT(?) ivs-u-0006',
      'message USER ivs-u-0007',
    ]);
    expect(ignored).toEqual([]);
  });
});

describe('participants that are not people, media not relayed', () => {
  it('voicemail, a user-to-user call and video/screen-share/internal-message legs produce no agent facts', () => {
    const { sequence, ignored, results } = run('not-people');
    // The caller reaches voicemail: they leave, the conversation ends; no agent ever joins.
    expect(sequence(CONVERSATIONS.voicemail)).toEqual(['customer.left(hangup)', 'ended']);
    // Alice calls Bob: two users and nobody else.
    expect(sequence(CONVERSATIONS.userToUser)).toEqual(['ended']);
    expect(ignored).toEqual(['no-customer', 'no-customer']);
    // Only Alice's call counts; Dave's video-only, Carol's internal-messages-only and the screen monitor's legs do not.
    expect(sequence(CONVERSATIONS.unrelayedMedia)).toEqual(['joined alice(routing)', 'left alice(hangup)', 'customer.left(hangup)', 'ended']);
    expect(results.flatMap((r) => r.warnings)).toEqual([]);
  });
});

describe('after-call work', () => {
  it('a leg still connected with startAcwTime, afterCallWork and wrapup set is no exit; the disconnect is', () => {
    const { facts, sequence } = run('acw-connected');
    expect(sequence()).toEqual(['joined alice(routing)', 'left alice(hangup)', 'customer.left(hangup)', 'ended']);
    expect(at(facts, 'left alice(hangup)')).toBe(Date.parse('2026-05-04T12:43:20.000Z'));
    const lines = readFixture('acw-connected');
    const acwWhileConnected = lines.filter((l) => l.includes('"startAcwTime"') && l.includes('"afterCallWork":{"state":"pending"') && !l.includes('"disconnectType":"client"'));
    expect(acwWhileConnected.length).toBeGreaterThanOrEqual(3);
  });
});

describe('issue-13 fixtures: order, keys, warnings', () => {
  it.each(Object.keys(FIDELITY_FIXTURES))('%s: facts in time order per conversation, no key twice, no warning', (name) => {
    const { facts, results } = run(name);
    const keys = facts.map((f) => f.dedupeKey);
    expect(new Set(keys).size).toBe(keys.length);
    for (const id of new Set(facts.map((f) => f.conversationId))) {
      const times = facts.filter((f) => f.conversationId === id).map((f) => f.at);
      expect(times).toEqual([...times].sort((a, b) => a - b));
    }
    expect(results.flatMap((r) => r.warnings)).toEqual([]);
    expect(facts.every((f) => f.queueId === undefined || f.queueId === QUEUE_SUPPORT)).toBe(true);
  });
});
