// The sequencer's state is stored as JSON after every fact and read back after a restart or an upgrade: every
// state it reaches must come back exactly as it was (or the restarted bridge would act differently), and a
// stored state of the wrong shape must be refused, never half-read.
import { describe, expect, it } from 'vitest';
import { initialState, mergeCustomer, parseState, StateVersionError, type ConversationState } from '../../src/core/conversation-state.js';
import type { Fact } from '../../src/core/facts.js';
import { step, type SequencerInput } from '../../src/core/sequencer.js';
import { customerLeft, ended, joined, left, said, settings, T0 } from './fact-builders.js';

const at = (s: number): number => T0 + s * 1000;

/** Every state a sequence of inputs passes through (timers fired as the runtime fires them). */
function states(inputs: readonly SequencerInput[]): ConversationState[] {
  let state = initialState();
  const out = [state];
  const feed = (input: SequencerInput): void => {
    state = step(state, input, settings).state;
    out.push(state);
  };
  for (const input of inputs) {
    while (state.wakeAt !== undefined && state.wakeAt <= input.at && input.type !== 'timer') feed({ type: 'timer', at: state.wakeAt });
    feed(input);
  }
  if (state.wakeAt !== undefined) feed({ type: 'timer', at: state.wakeAt + 3_600_000 });
  return out;
}

const richJoin: Fact = {
  type: 'agent.joined', conversationId: 'c1', dedupeKey: 'rich-join', at: at(5), source: 'test', leg: 'A-leg', via: 'routing',
  agent: { identity: 'A', name: 'Agent A', email: 'a@example.com', queueId: 'q1', queueName: 'Support' },
  experience: 'chat', language: 'de', customer: { address: '+15550100', externalContactId: 'ext-1' },
};
const earlyWithRef: Fact = {
  type: 'message', conversationId: 'c1', dedupeKey: 'early', at: at(1), source: 'test', author: 'AGENT', text: '', textRef: 'msg-1', messageId: 'm-early', agentIdentity: 'bot',
};

const FLOWS: Record<string, SequencerInput[]> = {
  'early messages, a rich agent, a consult, a drop and a redial': [
    earlyWithRef,
    said(2, 'USER', 'hello?'),
    richJoin,
    joined(20, 'B', 'B-leg', 'consult'),
    left(30, 'B', 'consult', 'B-leg'),
    left(40, 'A', 'dropped'),
    joined(50, 'A', 'A-leg-2', 'reconnect'),
    customerLeft(60, 'dropped'),
    left(61, 'A', 'hangup', 'A-leg-2'),
    ended(62),
  ],
  'a blind transfer with its settle window': [joined(0, 'A'), left(10, 'A', 'transfer'), joined(40, 'C'), left(50, 'C', 'hangup'), customerLeft(50, 'hangup'), ended(51)],
  'a conference and an agent hang-up that waits for a successor': [joined(0, 'A'), joined(5, 'B', 'B-leg', 'conference'), left(9, 'B', 'conference', 'B-leg'), left(20, 'A', 'hangup')],
};

describe('conversation state persistence', () => {
  for (const [name, inputs] of Object.entries(FLOWS)) {
    it(`every state of "${name}" reads back exactly as it was stored`, () => {
      const all = states(inputs);
      // The flow reached the states that have the optional parts (so the check below covers them).
      const seen = (pick: (s: ConversationState) => unknown): boolean => all.some((s) => pick(s) !== undefined);
      expect(seen((s) => s.wakeAt)).toBe(true);
      for (const s of all) expect(parseState(JSON.stringify(s))).toEqual(s);
    });
  }

  it('the flows cover every optional field the state has', () => {
    const all = Object.values(FLOWS).flatMap(states);
    const has = (pick: (s: ConversationState) => unknown): boolean => all.some((s) => pick(s) !== undefined && pick(s) !== false);
    for (const [field, pick] of Object.entries({
      experience: (s: ConversationState) => s.experience,
      language: (s: ConversationState) => s.language,
      customer: (s: ConversationState) => s.customer?.externalContactId,
      lastAgent: (s: ConversationState) => s.lastAgent?.queueName,
      dropped: (s: ConversationState) => s.dropped,
      customerDroppedAt: (s: ConversationState) => s.customerDroppedAt,
      closedAt: (s: ConversationState) => s.closedAt,
      earlyRef: (s: ConversationState) => s.earlyMessages[0]?.textRef,
      earlyAgent: (s: ConversationState) => s.earlyMessages[0]?.agentIdentity,
      customerGone: (s: ConversationState) => s.customerGone,
      pendingExit: (s: ConversationState) => s.pendingExit,
      leftLeg: (s: ConversationState) => Object.values(s.legs).find((v) => v === 'left'),
      ended: (s: ConversationState) => Object.values(s.platforms).find((p) => p.ended),
    })) {
      expect(has(pick), field).toBe(true);
    }
    const pending = all.find((s) => s.pendingExit)!;
    expect(parseState(JSON.stringify(pending))).toEqual(pending);
  });

  it.each([
    ['an unknown version', { v: 3 }],
    ['an unknown phase', { phase: 'paused' }],
    ['an unknown experience', { experience: 'video' }],
    ['a leg in an unknown state', { legs: { l1: 'maybe' } }],
    ['an early message by nobody we know', { earlyMessages: [{ author: 'BOT', text: 'x', messageId: 'm' }] }],
    ['a pending exit with an unknown reason', { pendingExit: { agent: { identity: 'A' }, reason: 'teleported', at: 1, deadline: 2 } }],
    ['a platform without its ended flag', { platforms: { c1: {} } }],
    ['an active agent without legs', { active: [{ agent: { identity: 'A' } }] }],
    ['a drop window without its end', { dropped: { at: 1 } }],
    ['a customer address that is not text', { customer: { address: 5 } }],
    ['an agent without an identity', { lastAgent: { name: 'A' } }],
    ['an early message without an id', { earlyMessages: [{ author: 'USER', text: 'x' }] }],
  ])('refuses a stored state with %s', (_what, patch) => {
    expect(() => parseState(JSON.stringify({ ...initialState(), ...patch }))).toThrow();
  });

  it('a state of a version it has no upgrade for is refused by code, saying which', () => {
    const old = JSON.stringify({ ...initialState(), v: 0 });
    expect(() => parseState(old)).toThrow(StateVersionError);
    expect(() => parseState(old)).toThrow(expect.objectContaining({ name: 'StateVersionError', code: 'STATE_VERSION_UNKNOWN', message: 'no upgrade from conversation state version 0' }));
    expect(() => parseState(JSON.stringify({ ...initialState(), v: 9 }))).toThrow(expect.objectContaining({ code: 'STATE_VERSION_UNKNOWN', message: expect.stringContaining('version 9 is newer') }));
  });

  it.each(['waiting', 'open', 'closed'] as const)('reads the phase %s', (phase) => {
    expect(parseState(JSON.stringify({ ...initialState(), phase })).phase).toBe(phase);
  });

  it.each(['transfer', 'consult', 'conference', 'hangup', 'dropped'] as const)('reads a pending %s exit', (reason) => {
    const s = { ...initialState(), pendingExit: { agent: { identity: 'A' }, reason, at: 1, deadline: 2 } };
    expect(parseState(JSON.stringify(s))).toEqual(s);
  });
});

describe('mergeCustomer', () => {
  it('keeps what is known and adds what is new', () => {
    expect(mergeCustomer(undefined, { address: '+1' })).toEqual({ address: '+1', externalContactId: undefined });
    expect(mergeCustomer({ address: '+1' }, { externalContactId: 'e' })).toEqual({ address: '+1', externalContactId: 'e' });
    expect(mergeCustomer({ address: '+1', externalContactId: 'e' }, { address: '+2' })).toEqual({ address: '+2', externalContactId: 'e' });
  });
  it('ignores a fact that says nothing about the customer', () => {
    const current = { address: '+1' };
    expect(mergeCustomer(current, undefined)).toBe(current);
    expect(mergeCustomer(current, {})).toBe(current);
    expect(mergeCustomer(undefined, { address: '' })).toBeUndefined();
  });
});
