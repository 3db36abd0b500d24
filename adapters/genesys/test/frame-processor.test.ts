// Behaviour of the frame → facts processor on small hand-written snapshots.
import { describe, expect, it, vi } from 'vitest';
import type { Fact } from '../../../src/core/facts.js';
import { GenesysFrameProcessor } from '../frame-processor.js';
import { FIXED_NOW, newProcessor, ofType } from './helpers.js';

const QUEUE = 'q-support';
const QUEUE_TOPIC = `v2.routing.queues.${QUEUE}.conversations`;
const BASE = Date.parse('2026-05-04T12:00:00.000Z');
const t = (seconds: number): string => new Date(BASE + seconds * 1000).toISOString();
const ms = (seconds: number): number => BASE + seconds * 1000;

type Json = Record<string, unknown>;

function frame(conversation: Json, topicName = QUEUE_TOPIC): string {
  return JSON.stringify({ topicName, version: '2', eventBody: conversation, metadata: { CorrelationId: 'x' } });
}

function conversation(id: string, participants: Json[], extra: Json = {}): Json {
  return { id, participants, ...extra };
}

function customer(state: string, extra: Json = {}, call: Json = {}): Json {
  return {
    id: 'p-cust',
    purpose: 'customer',
    address: 'tel:+15551234567',
    queueId: QUEUE,
    calls: [{ id: 'call-cust', state, direction: 'inbound', held: false, connectedTime: t(0), ...call }],
    ...extra,
  };
}

function agent(id: string, userId: string, call: Json, extra: Json = {}): Json {
  return { id, purpose: 'agent', userId, name: `Agent ${userId}`, queueId: QUEUE, calls: [{ id: `${id}-call`, direction: 'inbound', ...call }], ...extra };
}

const summary = (facts: readonly Fact[]): string[] =>
  facts.map((f) => {
    switch (f.type) {
      case 'agent.joined':
        return `joined ${f.agent.identity}(${f.via})`;
      case 'agent.left':
        return `left ${f.agent.identity}(${f.reason})`;
      case 'agents.left':
        return `everyone left(${f.reason})`;
      case 'customer.left':
        return `customer.left(${f.reason})`;
      case 'message':
        return `message ${f.author} ${f.messageId}`;
      case 'conversation.ended':
        return 'ended';
    }
  });

describe('GenesysFrameProcessor: legs and transitions', () => {
  it('maps an unknown disconnectType to hangup, with a warning and the callback', () => {
    const seen = vi.fn<(value: string) => void>();
    const processor = newProcessor(seen);
    processor.process(frame(conversation('c1', [customer('connected'), agent('p-a', 'u-a', { state: 'connected', connectedTime: t(5) })])));
    const result = processor.process(
      frame(
        conversation('c1', [
          customer('connected'),
          agent('p-a', 'u-a', { state: 'disconnected', connectedTime: t(5), disconnectedTime: t(60), disconnectType: 'teleported' }),
        ]),
      ),
    );
    expect(summary(result.facts)).toEqual(['left u-a(hangup)']);
    expect(result.warnings).toEqual([expect.stringMatching(/unknown disconnectType "teleported", treated as hangup/)]);
    expect(seen).toHaveBeenCalledExactlyOnceWith('teleported');
  });

  it('reports a missing disconnectType on a customer leg as a drop, with a warning', () => {
    const seen = vi.fn<(value: string) => void>();
    const processor = newProcessor(seen);
    processor.process(frame(conversation('c1', [customer('connected')])));
    const result = processor.process(frame(conversation('c1', [customer('disconnected', {}, { disconnectedTime: t(9) })])));
    expect(summary(result.facts)).toEqual(['customer.left(dropped)', 'ended']);
    expect(result.warnings).toHaveLength(1);
    expect(seen).toHaveBeenCalledWith('<missing>');
  });

  it('never moves a leg backwards: stale and duplicated snapshots add nothing', () => {
    const alerting = frame(conversation('c1', [customer('connected'), agent('p-a', 'u-a', { state: 'alerting' })]));
    const connected = frame(conversation('c1', [customer('connected'), agent('p-a', 'u-a', { state: 'connected', connectedTime: t(5) })]));
    const left = frame(
      conversation('c1', [
        customer('connected'),
        agent('p-a', 'u-a', { state: 'disconnected', connectedTime: t(5), disconnectedTime: t(50), disconnectType: 'client' }),
      ]),
    );
    const processor = newProcessor();
    expect(summary(processor.process(alerting).facts)).toEqual([]);
    expect(summary(processor.process(connected).facts)).toEqual(['joined u-a(routing)']);
    expect(summary(processor.process(left).facts)).toEqual(['left u-a(hangup)']);
    for (const stale of [connected, alerting, left, connected]) {
      expect(processor.process(stale).facts).toEqual([]);
    }
  });

  it('re-ordered delivery: the newer snapshot first still gives joined then left, and the older one nothing', () => {
    const connected = frame(conversation('c1', [customer('connected'), agent('p-a', 'u-a', { state: 'connected', connectedTime: t(5) })]));
    const left = frame(
      conversation('c1', [
        customer('connected'),
        agent('p-a', 'u-a', { state: 'disconnected', connectedTime: t(5), disconnectedTime: t(50), disconnectType: 'transfer' }),
      ]),
    );
    const processor = newProcessor();
    const first = processor.process(left).facts;
    expect(summary(first)).toEqual(['joined u-a(routing)', 'left u-a(transfer)']);
    expect(first.map((f) => f.at)).toEqual([ms(5), ms(50)]);
    expect(processor.process(connected).facts).toEqual([]);
  });

  it('a leg first seen disconnected without ever connecting yields nothing', () => {
    const result = newProcessor().process(
      frame(
        conversation('c1', [
          customer('connected'),
          agent('p-a', 'u-a', { state: 'disconnected', disconnectedTime: t(14), disconnectType: 'transfer.noanswer' }, { endTime: t(14) }),
        ]),
      ),
    );
    expect(result.facts).toEqual([]);
    expect(result.warnings).toEqual([]);
  });

  it('treats participant connectedTime as the leg\'s when the participant has a single leg', () => {
    const result = newProcessor().process(
      frame(
        conversation('c1', [
          customer('connected'),
          agent('p-a', 'u-a', { state: 'terminated', disconnectType: 'client' }, { connectedTime: t(7), endTime: t(40) }),
        ]),
      ),
    );
    expect(summary(result.facts)).toEqual(['joined u-a(routing)', 'left u-a(hangup)']);
    expect(result.facts.map((f) => f.at)).toEqual([ms(7), ms(40)]);
  });

  it('one user with two participant entries: each entry is its own leg, and a second entry is not a second agent', () => {
    const processor = newProcessor();
    const both = processor.process(
      frame(
        conversation('c1', [
          customer('connected'),
          agent('p-a1', 'u-a', { state: 'connected', connectedTime: t(5) }),
          agent('p-a2', 'u-a', { state: 'connected', connectedTime: t(6) }),
        ]),
      ),
    );
    expect(summary(both.facts)).toEqual(['joined u-a(routing)', 'joined u-a(routing)']);
    expect(both.facts.map((f) => ('leg' in f ? f.leg : ''))).toEqual(['p-a1:p-a1-call', 'p-a2:p-a2-call']);
    const later = processor.process(
      frame(
        conversation('c1', [
          customer('connected'),
          agent('p-a1', 'u-a', { state: 'disconnected', connectedTime: t(5), disconnectedTime: t(20), disconnectType: 'transport.failure' }),
          agent('p-a2', 'u-a', { state: 'connected', connectedTime: t(6) }),
        ]),
      ),
    );
    expect(summary(later.facts)).toEqual(['left u-a(dropped)']);
  });

  it('orders a same-millisecond hand-over as left before joined, and calls the join a transfer', () => {
    const result = newProcessor().process(
      frame(
        conversation('c1', [
          customer('connected'),
          agent('p-b', 'u-b', { state: 'connected', connectedTime: t(30) }),
          agent('p-a', 'u-a', { state: 'disconnected', connectedTime: t(5), disconnectedTime: t(30), disconnectType: 'transfer' }),
        ]),
      ),
    );
    expect(summary(result.facts)).toEqual(['joined u-a(routing)', 'left u-a(transfer)', 'joined u-b(transfer)']);
  });

  it('falls back to now() when a payload carries no time, and reports no frameTime', () => {
    const result = newProcessor().process(
      frame(
        conversation('c1', [
          { id: 'p-cust', purpose: 'customer', calls: [{ id: 'call-cust', state: 'connected' }] },
          { id: 'p-a', purpose: 'agent', userId: 'u-a', calls: [{ id: 'call-a', state: 'connected' }] },
        ]),
      ),
    );
    expect(result.facts.map((f) => f.at)).toEqual([FIXED_NOW]);
    expect(result.frameTime).toBeUndefined();
  });

  it('reports the latest payload time as frameTime', () => {
    const result = newProcessor().process(
      frame(conversation('c1', [customer('connected', { startTime: t(0) }), agent('p-a', 'u-a', { state: 'connected', connectedTime: t(12) })])),
    );
    expect(result.frameTime).toBe(ms(12));
  });

  it('uses the participant id, with a warning, for an agent without a user id', () => {
    const result = newProcessor().process(
      frame(conversation('c1', [customer('connected'), { id: 'p-x', purpose: 'user', calls: [{ id: 'call-x', state: 'connected', connectedTime: t(1) }] }])),
    );
    expect(result.facts[0]).toMatchObject({ type: 'agent.joined', agent: { identity: 'p-x' } });
    expect(result.warnings).toEqual([expect.stringMatching(/no user id/)]);
  });

  it('ignores unknown purposes and states for joins, but waits for their legs before ending', () => {
    const processor = newProcessor();
    const parts = (botState: string): Json[] => [
      customer('disconnected', {}, { disconnectedTime: t(30), disconnectType: 'peer' }),
      agent('p-a', 'u-a', { state: 'disconnected', connectedTime: t(5), disconnectedTime: t(29), disconnectType: 'client' }),
      { id: 'p-bot', purpose: 'workflow', calls: [{ id: 'call-bot', state: botState, connectedTime: t(1) }] },
    ];
    expect(summary(processor.process(frame(conversation('c1', parts('connected')))).facts)).toEqual([
      'joined u-a(routing)',
      'left u-a(hangup)',
      'customer.left(hangup)',
    ]);
    const over = processor.process(frame(conversation('c1', parts('terminated'))));
    expect(summary(over.facts)).toEqual(['ended']);
    expect(over.conversationEnded).toBe(true);
  });

  it('does not end a conversation that only ever had IVR or queue legs', () => {
    const result = newProcessor().process(
      frame(conversation('c1', [{ id: 'p-ivr', purpose: 'ivr', calls: [{ id: 'call-ivr', state: 'disconnected', disconnectedTime: t(3) }] }])),
    );
    expect(result.facts).toEqual([]);
    expect(result.conversationEnded).toBe(false);
  });

  it('emits conversation.ended once, never before the exits it follows', () => {
    const processor = newProcessor();
    const body = conversation('c1', [
      customer('disconnected', {}, { disconnectedTime: t(30), disconnectType: 'endpoint' }),
      // The agent's exit has no time of its own, so it falls back to now(), far after the customer's.
      agent('p-a', 'u-a', { state: 'disconnected', connectedTime: t(5), disconnectType: 'peer' }),
    ]);
    const facts = processor.process(frame(body)).facts;
    expect(summary(facts)).toEqual(['joined u-a(routing)', 'customer.left(hangup)', 'left u-a(hangup)', 'ended']);
    expect(facts.at(-1)?.at).toBe(FIXED_NOW);
    expect(processor.process(frame(body)).facts).toEqual([]);
  });
});

describe('GenesysFrameProcessor: how agents join', () => {
  const held = (state = 'connected'): Json => customer(state, {}, { held: true });

  it('consult by consultParticipantId while another agent is connected', () => {
    const result = newProcessor().process(
      frame(
        conversation('c1', [
          customer('connected'),
          agent('p-a', 'u-a', { state: 'connected', connectedTime: t(5) }),
          agent('p-b', 'u-b', { state: 'connected', connectedTime: t(50) }, { consultParticipantId: 'p-cust' }),
        ]),
      ),
    );
    expect(summary(result.facts)).toEqual(['joined u-a(routing)', 'joined u-b(consult)']);
  });

  it('consult by the customer being held while another agent is connected', () => {
    const result = newProcessor().process(
      frame(
        conversation('c1', [
          held(),
          agent('p-a', 'u-a', { state: 'connected', connectedTime: t(5) }),
          agent('p-b', 'u-b', { state: 'connected', connectedTime: t(50) }),
        ]),
      ),
    );
    expect(summary(result.facts)).toEqual(['joined u-a(routing)', 'joined u-b(consult)']);
  });

  it('a held customer alone does not make the first agent a consultant', () => {
    const result = newProcessor().process(frame(conversation('c1', [held(), agent('p-a', 'u-a', { state: 'connected', connectedTime: t(5) })])));
    expect(summary(result.facts)).toEqual(['joined u-a(routing)']);
  });

  it('outbound when the agent dials out first', () => {
    const result = newProcessor().process(
      frame(
        conversation('c1', [
          { id: 'p-a', purpose: 'user', userId: 'u-a', calls: [{ id: 'call-a', state: 'connected', direction: 'outbound', connectedTime: t(0), other: { addressNormalized: 'tel:+15550001111' } }] },
          { id: 'p-ext', purpose: 'external', calls: [{ id: 'call-ext', state: 'dialing', direction: 'outbound' }] },
        ]),
        'v2.users.u-a.conversations',
      ),
    );
    const [joined] = ofType(result.facts, 'agent.joined');
    expect(joined).toMatchObject({ via: 'outbound', direction: 'outbound' });
    // No customer address yet: the agent leg's far end stands in.
    expect(joined?.customer).toEqual({ address: '+15550001111' });
  });

  it('callback when the agent participant carries a callbacks[] leg', () => {
    const result = newProcessor().process(
      frame(
        conversation('c1', [
          {
            id: 'p-cust',
            purpose: 'customer',
            externalContactId: 'ext-42',
            callbacks: [{ id: 'cb-cust', state: 'connected', direction: 'outbound', connectedTime: t(0), callbackNumbers: ['+1 555 123 4567'] }],
          },
          {
            id: 'p-a',
            purpose: 'agent',
            userId: 'u-a',
            callbacks: [{ id: 'cb-a', state: 'connected', direction: 'inbound', connectedTime: t(2) }],
            calls: [{ id: 'call-a', state: 'dialing', direction: 'outbound' }],
          },
        ]),
      ),
    );
    expect(result.facts).toEqual([
      expect.objectContaining({
        type: 'agent.joined',
        leg: 'p-a:cb-a',
        via: 'callback',
        experience: 'voice',
        customer: { address: '+15551234567', externalContactId: 'ext-42' },
      }),
    ]);
  });
});

describe('GenesysFrameProcessor: REST reconciliation and memory', () => {
  it('replays a gap from a REST body in order, and ends on endTime', () => {
    const processor = newProcessor();
    processor.process(frame(conversation('c1', [customer('connected'), agent('p-a', 'u-a', { state: 'alerting' })])));
    const result = processor.processConversation(
      conversation(
        'c1',
        [
          customer('connected'),
          agent('p-a', 'u-a', { state: 'disconnected', connectedTime: t(5), disconnectedTime: t(40), disconnectType: 'transfer' }),
          { id: 'p-acd', purpose: 'acd', queueId: QUEUE, calls: [{ id: 'call-acd', state: 'disconnected', disconnectType: 'transfer', disconnectedTime: t(49) }] },
          agent('p-b', 'u-b', { state: 'connected', connectedTime: t(49) }),
        ],
        { startTime: t(0), endTime: t(90) },
      ),
    );
    expect(summary(result.facts)).toEqual(['joined u-a(routing)', 'left u-a(transfer)', 'joined u-b(transfer)', 'ended']);
    expect(result.facts.at(-1)?.at).toBe(ms(90));
    expect(result.conversationEnded).toBe(true);
    expect(result.conversationId).toBe('c1');
  });

  it('warns about a REST body that is not a conversation, naming the source', () => {
    const result = newProcessor().processConversation({ participants: 'nope' }, 'reconcile');
    expect(result.facts).toEqual([]);
    expect(result.warnings).toEqual([expect.stringMatching(/^genesys: reconcile: payload ignored/)]);
  });

  it('forget() drops the diff state: the same snapshot yields the same facts (and keys) again', () => {
    const processor = newProcessor();
    const body = frame(conversation('c1', [customer('connected'), agent('p-a', 'u-a', { state: 'connected', connectedTime: t(5) })]));
    const first = processor.process(body).facts;
    expect(processor.process(body).facts).toEqual([]);
    processor.forget('c1');
    expect(processor.process(body).facts).toEqual(first);
  });

  it('remembers a bounded number of conversations', () => {
    const processor = new GenesysFrameProcessor({ now: () => FIXED_NOW, maxConversations: 2 });
    const body = (id: string): string => frame(conversation(id, [customer('connected'), agent('p-a', 'u-a', { state: 'connected', connectedTime: t(5) })]));
    for (const id of ['c1', 'c2', 'c3']) processor.process(body(id));
    expect(processor.process(body('c3')).facts).toEqual([]);
    expect(processor.process(body('c2')).facts).toEqual([]);
    expect(processor.process(body('c1')).facts).toHaveLength(1); // evicted, seen afresh
  });

  it('one conversation seen through both the flattened and the nested shape fires each fact once', () => {
    const processor = newProcessor();
    const flat = (state: string, extra: Json = {}): string =>
      frame(
        {
          id: 'c1',
          participants: [
            { id: 'p-cust', purpose: 'customer', state: 'connected', connectedTime: t(0) },
            { id: 'p-a', purpose: 'agent', user: { id: 'u-a' }, queue: { id: QUEUE }, state, connectedTime: t(5), ...extra },
          ],
        },
        `${QUEUE_TOPIC}.calls`,
      );
    const nested = (call: Json): string => frame(conversation('c1', [customer('connected'), agent('p-a', 'u-a', call)]));

    expect(summary(processor.process(flat('connected')).facts)).toEqual(['joined u-a(routing)']);
    expect(processor.process(nested({ state: 'connected', connectedTime: t(5) })).facts).toEqual([]);
    const left = processor.process(nested({ state: 'disconnected', connectedTime: t(5), disconnectedTime: t(9), disconnectType: 'client' }));
    expect(left.facts).toEqual([expect.objectContaining({ type: 'agent.left', leg: 'p-a:calls' })]);
    expect(processor.process(flat('disconnected', { endTime: t(9), disconnectType: 'client' })).facts).toEqual([]);
  });
});

describe('GenesysFrameProcessor: digital messaging', () => {
  const messaging = (customerMessages: unknown[], agentMessages: unknown[]): string =>
    frame(
      conversation('c-msg', [
        {
          id: 'p-cust',
          purpose: 'customer',
          address: 'Jane.Roe@Example.com',
          messages: [{ id: 'm-cust', state: 'connected', direction: 'inbound', connectedTime: t(0), messages: customerMessages }],
        },
        {
          id: 'p-a',
          purpose: 'agent',
          userId: 'u-a',
          messages: [{ id: 'm-a', state: 'connected', direction: 'inbound', connectedTime: t(3), messages: agentMessages }],
        },
      ]),
      'v2.users.u-a.conversations',
    );

  it('reports each message id once, inbound for the customer and outbound for the agent', () => {
    const processor = newProcessor();
    const first = processor.process(messaging([{ messageId: 'msg-1', messageTime: t(1) }], []));
    expect(first.digitalMessages).toEqual([
      { conversationId: 'c-msg', messageId: 'msg-1', direction: 'inbound', messageTime: t(1), participantId: 'p-cust' },
    ]);
    expect(first.facts).toEqual([
      expect.objectContaining({ type: 'agent.joined', experience: 'chat', customer: { address: 'jane.roe@example.com' } }),
    ]);
    const second = processor.process(
      messaging([{ messageId: 'msg-1', messageTime: t(1) }, { messageId: 'msg-3', messageTime: t(8) }], [{ messageId: 'msg-2', messageTime: t(5) }]),
    );
    expect(second.digitalMessages).toEqual([
      { conversationId: 'c-msg', messageId: 'msg-2', direction: 'outbound', messageTime: t(5), participantId: 'p-a', userId: 'u-a' },
      { conversationId: 'c-msg', messageId: 'msg-3', direction: 'inbound', messageTime: t(8), participantId: 'p-cust' },
    ]);
    expect(processor.process(messaging([{ messageId: 'msg-3' }], [{ messageId: 'msg-2' }])).digitalMessages).toEqual([]);
  });

  it('skips malformed message entries without losing the frame', () => {
    const result = newProcessor().process(messaging([{ messageTime: t(1) }, 'junk', { messageId: 'msg-ok' }], []));
    expect(result.digitalMessages.map((m) => m.messageId)).toEqual(['msg-ok']);
    expect(result.facts).toHaveLength(1);
  });
});
