// Every fixture fed line by line through one processor, as the live adapter and replay will do.
import { describe, expect, it } from 'vitest';
import type { AgentJoinedFact, Fact } from '../../../src/core/facts.js';
import { CONVERSATIONS, QUEUE_BILLING, QUEUE_SUPPORT, USERS } from '../../../test/fixtures/genesys/scenarios.js';
import { feed, ofType, readFixture, summarise } from './helpers.js';

function sequence(name: string, conversationId?: string): string[] {
  return feed(readFixture(name))
    .facts.filter((f) => conversationId === undefined || f.conversationId === conversationId)
    .map(summarise);
}

function joins(facts: readonly Fact[]): AgentJoinedFact[] {
  return ofType(facts, 'agent.joined');
}

const STANDARD = ['joined alice(routing)', 'left alice(hangup)', 'customer.left(hangup)', 'ended'];

describe('Genesys fixtures → facts', () => {
  it('standard: one agent, agent hangs up, customer follows', () => {
    expect(sequence('standard')).toEqual(STANDARD);
  });

  it('standard: fields of each fact', () => {
    const lines = readFixture('standard');
    const { facts, results } = feed(lines);
    const id = CONVERSATIONS.standard;
    expect(facts).toEqual([
      {
        type: 'agent.joined',
        conversationId: id,
        dedupeKey: `genesys:${id}:std-alice:std-alice-call:joined`,
        at: Date.parse('2026-05-04T09:00:29.800Z'),
        source: 'genesys',
        queueId: QUEUE_SUPPORT,
        experience: 'voice',
        leg: 'std-alice:std-alice-call',
        agent: { identity: USERS.alice.id, name: USERS.alice.name, queueId: QUEUE_SUPPORT },
        via: 'routing',
        direction: 'inbound',
        customer: { address: '+15551234567' },
      },
      {
        type: 'agent.left',
        conversationId: id,
        dedupeKey: `genesys:${id}:std-alice:std-alice-call:left`,
        at: Date.parse('2026-05-04T09:03:31.600Z'),
        source: 'genesys',
        queueId: QUEUE_SUPPORT,
        experience: 'voice',
        leg: 'std-alice:std-alice-call',
        agent: { identity: USERS.alice.id, name: USERS.alice.name, queueId: QUEUE_SUPPORT },
        reason: 'hangup',
      },
      {
        type: 'customer.left',
        conversationId: id,
        dedupeKey: `genesys:${id}:customer:std-customer:std-customer-call:left`,
        at: Date.parse('2026-05-04T09:03:31.900Z'),
        source: 'genesys',
        queueId: QUEUE_SUPPORT,
        experience: 'voice',
        reason: 'hangup',
        customer: { address: '+15551234567' },
      },
      {
        type: 'conversation.ended',
        conversationId: id,
        dedupeKey: `genesys:${id}:ended`,
        at: Date.parse('2026-05-04T09:03:31.900Z'),
        source: 'genesys',
        queueId: QUEUE_SUPPORT,
        experience: 'voice',
      },
    ]);
    // Heartbeats are control events only; the ended flag sticks once set; frames advance the replay clock.
    const heartbeats = lines.filter((line) => line.includes('WebSocket Heartbeat')).length;
    expect(heartbeats).toBeGreaterThan(0);
    expect(results.filter((r) => r.control.some((c) => c.kind === 'heartbeat'))).toHaveLength(heartbeats);
    expect(results.filter((r) => r.control.length > 0 && r.facts.length > 0)).toEqual([]);
    expect(results.map((r) => r.conversationEnded).filter((e) => e !== undefined)).toEqual([
      false, false, false, false, false, true, true,
    ]);
    const frameTimes = results.flatMap((r) => (r.frameTime === undefined ? [] : [r.frameTime]));
    expect(frameTimes).toEqual([...frameTimes].sort((a, b) => a - b));
    expect(results.flatMap((r) => r.warnings)).toEqual([]);
  });

  it('cold-chain: blind transfers A → B → C', () => {
    expect(sequence('cold-chain')).toEqual([
      'joined alice(routing)',
      'left alice(transfer)',
      'joined bob(transfer)',
      'left bob(transfer)',
      'joined carol(transfer)',
      'left carol(hangup)',
      'customer.left(hangup)',
      'ended',
    ]);
  });

  it('cold-chain: a direct user transfer (purpose "user", no queue) takes the customer\'s queue', () => {
    const carol = joins(feed(readFixture('cold-chain')).facts).find((f) => f.agent.identity === USERS.carol.id);
    expect(carol?.agent).toEqual({ identity: USERS.carol.id, name: USERS.carol.name });
    expect(carol?.queueId).toBe(QUEUE_SUPPORT);
  });

  it('warm-two-consultants: both consultants join by consult and leave by hanging up', () => {
    expect(sequence('warm-two-consultants')).toEqual([
      'joined alice(routing)',
      'joined bob(consult)',
      'joined carol(consult)',
      'left bob(hangup)',
      'left carol(hangup)',
      'left alice(hangup)',
      'customer.left(hangup)',
      'ended',
    ]);
  });

  it('conference: a second agent joining with nobody held', () => {
    expect(sequence('conference')).toEqual([
      'joined alice(routing)',
      'joined bob(conference)',
      'left bob(hangup)',
      'left alice(hangup)',
      'customer.left(hangup)',
      'ended',
    ]);
  });

  it('consult-cancelled: the consultant leaves, the first agent stays', () => {
    expect(sequence('consult-cancelled')).toEqual([
      'joined alice(routing)',
      'joined bob(consult)',
      'left bob(hangup)',
      'left alice(hangup)',
      'customer.left(hangup)',
      'ended',
    ]);
  });

  it('reroute-no-answer: an agent who never connected yields nothing', () => {
    const { facts, results } = feed(readFixture('reroute-no-answer'));
    expect(facts.map(summarise)).toEqual(['joined bob(routing)', 'left bob(hangup)', 'customer.left(hangup)', 'ended']);
    expect(facts.some((f) => 'agent' in f && f.agent.identity === USERS.alice.id)).toBe(false);
    expect(results.flatMap((r) => r.warnings)).toEqual([]);
  });

  it('redial-in-conversation: a dropped leg, then a new participant entry of the same user', () => {
    const { facts } = feed(readFixture('redial-in-conversation'));
    expect(facts.map(summarise)).toEqual([
      'joined alice(routing)',
      'left alice(dropped)',
      'joined alice(routing)',
      'left alice(hangup)',
      'customer.left(hangup)',
      'ended',
    ]);
    const legs = facts.flatMap((f) => ('leg' in f ? [f.leg] : []));
    expect(legs).toEqual([
      'rdi-alice:rdi-alice-call',
      'rdi-alice:rdi-alice-call',
      'rdi-alice-2:rdi-alice-2-call',
      'rdi-alice-2:rdi-alice-2-call',
    ]);
    const rejoin = facts[2];
    expect(rejoin?.at).toBeGreaterThan(facts[1]?.at ?? Infinity);
    expect((rejoin?.at ?? 0) - (facts[1]?.at ?? 0)).toBeLessThan(30_000);
  });

  it('redial-new-outbound: a dropped customer, then an outbound call to the same number 40 s later', () => {
    const first = sequence('redial-new-outbound', CONVERSATIONS.redialFirst);
    const second = sequence('redial-new-outbound', CONVERSATIONS.redialOutbound);
    expect(first).toEqual(['joined alice(routing)', 'customer.left(dropped)', 'left alice(hangup)', 'ended']);
    expect(second).toEqual(['joined alice(outbound)', 'left alice(hangup)', 'customer.left(hangup)', 'ended']);

    const { facts } = feed(readFixture('redial-new-outbound'));
    const dropped = facts.find((f) => f.type === 'customer.left' && f.conversationId === CONVERSATIONS.redialFirst);
    const outbound = joins(facts).find((f) => f.conversationId === CONVERSATIONS.redialOutbound);
    const endedFirst = facts.find((f) => f.type === 'conversation.ended' && f.conversationId === CONVERSATIONS.redialFirst);
    expect(dropped).toMatchObject({ customer: { address: '+15551234567' } });
    expect(outbound).toMatchObject({
      direction: 'outbound',
      customer: { address: '+15551234567' },
      agent: { identity: USERS.alice.id },
    });
    expect(outbound?.queueId).toBeUndefined();
    expect((outbound?.at ?? 0) - (endedFirst?.at ?? 0)).toBeGreaterThanOrEqual(40_000);
  });

  it('duplicate-topics: the queue and user topic copies (one of them late) give one set of facts', () => {
    const { facts } = feed(readFixture('duplicate-topics'));
    expect(facts.map(summarise)).toEqual(STANDARD);
    expect(new Set(facts.map((f) => f.dedupeKey)).size).toBe(facts.length);
  });

  it('interleaved: two conversations keep their own state', () => {
    expect(sequence('interleaved', CONVERSATIONS.interleavedA)).toEqual(STANDARD);
    expect(sequence('interleaved', CONVERSATIONS.interleavedB)).toEqual([
      'joined dave(routing)',
      'customer.left(hangup)',
      'left dave(hangup)',
      'ended',
    ]);
    const { facts } = feed(readFixture('interleaved'));
    const queues = new Map(facts.map((f) => [f.conversationId, f.queueId]));
    expect(queues.get(CONVERSATIONS.interleavedA)).toBe(QUEUE_SUPPORT);
    expect(queues.get(CONVERSATIONS.interleavedB)).toBe(QUEUE_BILLING);
    expect(joins(facts).find((f) => f.conversationId === CONVERSATIONS.interleavedB)?.customer).toEqual({
      address: '+15557654321',
    });
  });

  it('transcription: finals only, once each, attributed by channel and leg', () => {
    const { facts } = feed(readFixture('transcription'));
    expect(facts.map(summarise)).toEqual([
      'joined alice(routing)',
      'message USER tr-u-0001',
      'message AGENT(alice) tr-u-0002',
      'message USER tr-u-0003',
      'message AGENT(alice) tr-u-0004',
      'left alice(hangup)',
      'customer.left(hangup)',
      'ended',
    ]);
    const messages = ofType(facts, 'message');
    expect(messages.map((m) => m.text)).toEqual([
      'Hi, I have a question about my bill.',
      'Sure, I can help with that.',
      'thank you',
      'Let me pull up your account.',
    ]);
    expect(messages[0]).toEqual({
      type: 'message',
      conversationId: CONVERSATIONS.transcription,
      dedupeKey: `genesys:${CONVERSATIONS.transcription}:utterance:tr-u-0001`,
      at: Date.parse('2026-05-04T10:50:37.200Z'),
      source: 'genesys',
      queueId: QUEUE_SUPPORT,
      experience: 'voice',
      language: 'en-US',
      author: 'USER',
      text: 'Hi, I have a question about my bill.',
      messageId: 'tr-u-0001',
    });
  });

  it('flattened-calls: the per-media topic gives the standard sequence on media-named legs', () => {
    const { facts } = feed(readFixture('flattened-calls'));
    expect(facts.map(summarise)).toEqual(STANDARD);
    expect(facts.map((f) => f.dedupeKey)).toEqual([
      `genesys:${CONVERSATIONS.flattenedCalls}:flat-alice:calls:joined`,
      `genesys:${CONVERSATIONS.flattenedCalls}:flat-alice:calls:left`,
      `genesys:${CONVERSATIONS.flattenedCalls}:customer:flat-customer:calls:left`,
      `genesys:${CONVERSATIONS.flattenedCalls}:ended`,
    ]);
    expect(joins(facts)[0]).toMatchObject({
      agent: { identity: USERS.alice.id, queueId: QUEUE_SUPPORT },
      customer: { address: '+15551234567' },
      direction: 'inbound',
    });
  });

  it('every fixture: facts are in time order and no dedupe key repeats', () => {
    for (const name of [
      'standard', 'cold-chain', 'warm-two-consultants', 'conference', 'consult-cancelled', 'reroute-no-answer',
      'redial-in-conversation', 'redial-new-outbound', 'duplicate-topics', 'interleaved', 'transcription', 'flattened-calls',
    ]) {
      const { facts, results } = feed(readFixture(name));
      const keys = facts.map((f) => f.dedupeKey);
      expect(new Set(keys).size, name).toBe(keys.length);
      for (const conversationId of new Set(facts.map((f) => f.conversationId))) {
        const times = facts.filter((f) => f.conversationId === conversationId).map((f) => f.at);
        expect(times, name).toEqual([...times].sort((a, b) => a - b));
      }
      expect(results.flatMap((r) => r.warnings), name).toEqual([]);
    }
  });
});
