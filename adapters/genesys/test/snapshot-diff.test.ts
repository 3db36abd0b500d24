// The per-leg diff on its own: only forward steps, once each; exits after entries even when the payload's
// times tie; the two spellings of a leg (nested call id, flattened media) treated as one leg.
import { describe, expect, it } from 'vitest';
import { ConversationMemoryStore, type ConversationMemory, type LegMemory } from '../conversation-memory.js';
import type { Leg, LegPhase } from '../legs.js';
import { diffSnapshot } from '../snapshot-diff.js';

const NOW = Date.parse('2026-05-04T10:00:00Z');

function leg(phase: LegPhase, extra: Partial<Leg> = {}): Leg {
  const participantId = extra.participantId ?? 'p1';
  const communicationId = extra.communicationId ?? 'call-1';
  return {
    key: `${participantId}:${communicationId}`,
    participantId,
    communicationId,
    synthetic: false,
    media: 'calls',
    role: 'agent',
    phase,
    held: false,
    messages: [],
    ...extra,
  } as Leg;
}

function memoryWith(...known: Partial<LegMemory>[]): ConversationMemory {
  const memory = new ConversationMemoryStore().touch('c1');
  for (const k of known) {
    const l: LegMemory = { key: 'p1:call-1', participantId: 'p1', communicationId: 'call-1', synthetic: false, media: 'calls', role: 'agent', phase: 1, connected: true, announced: true, ...k };
    memory.legs.set(l.key, l);
  }
  return memory;
}

const kinds = (legs: Leg[], memory: ConversationMemory) => diffSnapshot(legs, memory, NOW).events.map((e) => `${e.kind}@${e.at - NOW}${e.kind === 'ended' ? (e.afterConnection ? '+' : '-') : ''}`);

describe('diffSnapshot', () => {
  it('a new connected leg connects at its connectedTime (or now)', () => {
    expect(kinds([leg(1, { connectedAt: NOW - 5 })], memoryWith())).toEqual(['connected@-5']);
    expect(kinds([leg(1)], memoryWith())).toEqual(['connected@0']);
    const [change] = diffSnapshot([leg(1)], memoryWith(), NOW).changes;
    expect(change).toMatchObject({ key: 'p1:call-1', from: 0, to: 1, known: false });
    expect(change).not.toHaveProperty('alias');
  });

  it('a leg seen only once it was over connects and ends, its exit strictly after its entry', () => {
    expect(kinds([leg(2, { connectedAt: NOW - 10, endedAt: NOW - 2 })], memoryWith())).toEqual(['connected@-10', 'ended@-2+']);
    expect(kinds([leg(2, { connectedAt: NOW - 10, endedAt: NOW - 10 })], memoryWith())).toEqual(['connected@-10', 'ended@-9+']);
    expect(kinds([leg(2, { connectedAt: NOW - 10, endedAt: NOW - 20 })], memoryWith())).toEqual(['connected@-10', 'ended@-9+']);
  });

  it('a leg that ended without ever connecting (it only alerted) ends silently', () => {
    expect(kinds([leg(2, { endedAt: NOW - 1 })], memoryWith())).toEqual(['ended@-1-']);
    expect(kinds([leg(2, { endedAt: NOW - 1 })], memoryWith({ phase: 1, connected: false }))).toEqual(['ended@-1-']);
  });

  it('a known connected leg that ends: one exit, after its connection', () => {
    const memory = memoryWith({ phase: 1, connected: true });
    expect(kinds([leg(2, { connectedAt: NOW - 10, endedAt: NOW - 1 })], memory)).toEqual(['ended@-1+']);
    expect(diffSnapshot([leg(2)], memory, NOW).changes[0]).toMatchObject({ from: 1, to: 2, known: true });
    expect(kinds([leg(2)], memory)).toEqual(['ended@0+']);
  });

  it('nothing moves backwards or fires twice: the same phase again, or an older one, is no change', () => {
    const connected = memoryWith({ phase: 1 });
    expect(diffSnapshot([leg(1)], connected, NOW)).toEqual({ changes: [], events: [] });
    const ended = memoryWith({ phase: 2 });
    expect(diffSnapshot([leg(1)], ended, NOW)).toEqual({ changes: [], events: [] });
    expect(diffSnapshot([leg(2)], ended, NOW)).toEqual({ changes: [], events: [] });
  });

  it('a known leg still at phase 0 (alerting) that connects is a step forward', () => {
    const alerting = memoryWith({ phase: 0, connected: false });
    expect(diffSnapshot([leg(1)], alerting, NOW).changes).toMatchObject([{ from: 0, to: 1, known: true }]);
    expect(kinds([leg(1)], alerting)).toEqual(['connected@0']);
    expect(diffSnapshot([leg(0)], alerting, NOW).changes).toEqual([]);
  });

  it('a first-seen leg still alerting is remembered (a change) but fires nothing', () => {
    const d = diffSnapshot([leg(0)], memoryWith(), NOW);
    expect(d.changes).toMatchObject([{ from: 0, to: 0, known: false }]);
    expect(d.events).toEqual([]);
  });

  describe('two spellings of one leg', () => {
    const flat = (phase: LegPhase, extra: Partial<Leg> = {}): Leg => leg(phase, { key: 'p1:calls', communicationId: 'calls', synthetic: true, ...extra });

    it('a flattened leg seen after the nested one is the nested one (an alias), and fires nothing again', () => {
      const memory = memoryWith({ phase: 1 });
      const d = diffSnapshot([flat(1)], memory, NOW);
      expect(d).toEqual({ changes: [], events: [] });
      const ended = diffSnapshot([flat(2, { endedAt: NOW - 1 })], memory, NOW);
      expect(ended.changes).toMatchObject([{ key: 'p1:call-1', alias: 'p1:calls', from: 1, to: 2 }]);
      expect(ended.events.map((e) => e.kind)).toEqual(['ended']);
    });

    it('only a real leg of the same participant and medium counts as the nested spelling', () => {
      const otherParticipant = memoryWith({ key: 'p2:call-9', participantId: 'p2', communicationId: 'call-9' });
      expect(diffSnapshot([flat(1)], otherParticipant, NOW).changes).toMatchObject([{ key: 'p1:calls', known: false }]);
      const otherMedium = memoryWith({ media: 'messages' });
      expect(diffSnapshot([flat(1)], otherMedium, NOW).changes).toMatchObject([{ key: 'p1:calls', known: false }]);
      const syntheticOnly = memoryWith({ key: 'p1:x', communicationId: 'x', synthetic: true });
      expect(diffSnapshot([flat(1)], syntheticOnly, NOW).changes).toMatchObject([{ key: 'p1:calls', known: false }]);
    });

    it('a nested leg seen after the flattened one takes the flattened key, once', () => {
      const memory = memoryWith({ key: 'p1:calls', communicationId: 'calls', synthetic: true, phase: 1 });
      const d = diffSnapshot([leg(2, { endedAt: NOW - 1 })], memory, NOW);
      expect(d.changes).toMatchObject([{ key: 'p1:calls', alias: 'p1:call-1', from: 1 }]);
      // Once the flattened key is claimed by one nested leg, a second nested leg of the participant is its own.
      (memory.aliases ??= new Map()).set('p1:call-1', 'p1:calls');
      expect(diffSnapshot([leg(1, { key: 'p1:call-2', communicationId: 'call-2' })], memory, NOW).changes).toMatchObject([{ key: 'p1:call-2', known: false }]);
      // The alias is followed without naming it again.
      const again = diffSnapshot([leg(2)], memory, NOW).changes[0];
      expect(again).toMatchObject({ key: 'p1:calls' });
      expect(again).not.toHaveProperty('alias');
    });
  });
});
