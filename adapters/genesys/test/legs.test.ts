import { describe, expect, it } from 'vitest';
import { FlattenedConversationSchema, NestedConversationSchema } from '../conversation-schema.js';
import { flattenedSnapshot, nestedSnapshot, phaseOf, roleOf } from '../legs.js';

describe('legs', () => {
  it.each([
    ['agent', 'agent'],
    ['user', 'agent'],
    ['Agent', 'agent'],
    ['customer', 'customer'],
    ['external', 'customer'],
    ['acd', 'other'],
    ['ivr', 'other'],
    ['workflow', 'other'],
    ['voicemail', 'other'],
    [undefined, 'other'],
  ])('purpose %s is an %s leg', (purpose, role) => {
    expect(roleOf(purpose)).toBe(role);
  });

  it.each([
    ['alerting', undefined, undefined, 0],
    ['offering', undefined, undefined, 0],
    ['dialing', undefined, undefined, 0],
    ['contacting', undefined, undefined, 0],
    ['connected', undefined, undefined, 1],
    ['alerting', 5, undefined, 1],
    ['uploading', undefined, undefined, 0],
    ['disconnected', 5, 9, 2],
    ['terminated', undefined, undefined, 2],
    [undefined, undefined, 9, 2],
    [undefined, 5, undefined, 1],
    [undefined, undefined, undefined, 0],
  ] as const)('state %s (connected %s, ended %s) → phase %i', (state, connectedAt, endedAt, phase) => {
    expect(phaseOf(state, connectedAt, endedAt)).toBe(phase);
  });

  it('nested: one leg per media entry, keyed by participant and communication id', () => {
    const conversation = NestedConversationSchema.parse({
      id: 'c1',
      participants: [
        {
          id: 'p1',
          purpose: 'agent',
          userId: 'u1',
          connectedTime: '2026-05-04T12:00:00Z',
          calls: [{ id: 'call-1', state: 'connected', direction: 'Outbound', other: { addressNormalized: 'tel:+15550001111' } }],
          callbacks: [{ state: 'connected', callbackNumbers: ['+15550002222'] }],
          videos: [{ id: 'v1', state: 'connected' }],
        },
        { purpose: 'customer', calls: [{ id: 'lost', state: 'connected' }] },
        'junk',
      ],
    });
    const snapshot = nestedSnapshot(conversation);
    expect(snapshot.legs.map((l) => [l.key, l.media, l.synthetic, l.phase, l.direction])).toEqual([
      ['p1:call-1', 'calls', false, 1, 'outbound'],
      ['p1:callbacks', 'callbacks', true, 1, undefined],
    ]);
    // With two legs the participant's connectedTime belongs to neither.
    expect(snapshot.legs.every((l) => l.connectedAt === undefined)).toBe(true);
    expect(snapshot.legs[0]?.otherAddress).toBe('+15550001111');
  });

  it('flattened: the participant is the leg, named by media type, with user and queue references', () => {
    const conversation = FlattenedConversationSchema.parse({
      id: 'c1',
      participants: [
        {
          id: 'p1', purpose: 'agent', state: 'disconnected', disconnectType: 'client', user: { id: 'u1' }, queue: { id: 'q1' },
          connectedTime: '2026-05-04T12:00:05Z', endTime: '2026-05-04T12:01:00Z', held: 'yes',
        },
        { id: 'p2', purpose: 'customer', state: 'connected', address: 'tel:+15551234567', externalContact: { id: 'ext-1' } },
      ],
    });
    const snapshot = flattenedSnapshot(conversation, 'calls');
    expect(snapshot.legs).toEqual([
      {
        key: 'p1:calls', participantId: 'p1', communicationId: 'calls', synthetic: true, media: 'calls', role: 'agent', purpose: 'agent',
        phase: 2, held: false, messages: [], connectedAt: Date.parse('2026-05-04T12:00:05Z'), endedAt: Date.parse('2026-05-04T12:01:00Z'),
        disconnectType: 'client', userId: 'u1', queueId: 'q1',
      },
      {
        key: 'p2:calls', participantId: 'p2', communicationId: 'calls', synthetic: true, media: 'calls', role: 'customer', purpose: 'customer',
        phase: 1, held: false, messages: [], address: '+15551234567', externalContactId: 'ext-1',
      },
    ]);
    expect(snapshot.latestTime).toBe(Date.parse('2026-05-04T12:01:00Z'));
  });

  it('accepts epoch-millisecond times and ignores unparsable ones', () => {
    const snapshot = nestedSnapshot(
      NestedConversationSchema.parse({
        id: 'c1',
        participants: [{ id: 'p1', purpose: 'agent', calls: [{ id: 'x', state: 'disconnected', connectedTime: 1000, disconnectedTime: 'yesterday' }] }],
      }),
    );
    expect(snapshot.legs[0]?.connectedAt).toBe(1000);
    expect(snapshot.legs[0]?.endedAt).toBeUndefined();
  });
});
