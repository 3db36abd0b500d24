// The sequencer's rules one at a time, at their edges: what is ignored and why, the windows' boundaries (a
// timer or a fact exactly at a deadline), who a message is attributed to, the context every intent carries.
// Boundaries are stepped directly (no timer fired first) where the runtime may deliver a fact before the
// timer of the same instant.
import { describe, expect, it } from 'vitest';
import { initialState, type ConversationState } from '../../src/core/conversation-state.js';
import type { Fact } from '../../src/core/facts.js';
import type { Intent } from '../../src/core/intents.js';
import { step, type SequencerInput, type SequencerSettings } from '../../src/core/sequencer.js';
import { customerLeft, ended, joined, label, left, run, said, settings, T0, tick } from './fact-builders.js';

const at = (s: number): number => T0 + s * 1000;

/** Steps each input as given (no timers fired in between); the last result and every label. */
function stepAll(inputs: readonly SequencerInput[], s: SequencerSettings = settings): { state: ConversationState; labels: string[]; ignored: (string | undefined)[]; intents: Intent[] } {
  let state = initialState();
  const intents: Intent[] = [];
  const ignored: (string | undefined)[] = [];
  for (const input of inputs) {
    const r = step(state, input, s);
    state = r.state;
    intents.push(...r.intents);
    ignored.push(r.ignored);
  }
  return { state, labels: intents.map(label), ignored, intents };
}

describe('what is ignored, and why', () => {
  it('a leg that joins twice, leaves twice, or leaves without having joined', () => {
    const r = stepAll([joined(0, 'A'), joined(1, 'A'), left(5, 'A', 'hangup', 'other-leg'), left(6, 'A', 'transfer'), left(7, 'A', 'transfer')]);
    expect(r.ignored).toEqual([undefined, 'duplicate-leg', 'unknown-leg', undefined, 'duplicate-leg']);
    expect(r.labels).toEqual(['NA entry A']);
  });

  it('anything after END_OF_CONVERSATION', () => {
    const r = stepAll([joined(0, 'A'), left(1, 'A', 'hangup'), customerLeft(1, 'hangup'), ended(2), said(3, 'USER', 'late'), tick(400)]);
    expect(r.ignored.slice(-2)).toEqual(['after-end', 'after-end']);
    expect(r.labels.at(-1)).toBe('END_OF_CONVERSATION A');
  });

  it('early messages beyond BRIDGE_EARLY_MESSAGE_LIMIT, or all of them with BRIDGE_EARLY_MESSAGES=drop', () => {
    const limited = stepAll([said(0, 'USER', 'one'), said(1, 'USER', 'two'), said(2, 'USER', 'three'), joined(3, 'A')], { ...settings, earlyMessageLimit: 2 });
    expect(limited.ignored).toEqual([undefined, undefined, 'early-message-overflow', undefined]);
    expect(limited.labels).toEqual(['NA entry A', 'message USER A: one', 'message USER A: two']);
    const dropped = stepAll([said(0, 'USER', 'one'), joined(3, 'A')], { ...settings, earlyMessages: 'drop' });
    expect(dropped.ignored).toEqual(['early-message-dropped', undefined]);
    expect(dropped.labels).toEqual(['NA entry A']);
  });

  it('one agent holding two legs leaves with the last of them', () => {
    const r = run([joined(0, 'A'), joined(1, 'A', 'A-leg-2'), left(5, 'A', 'hangup'), customerLeft(5, 'hangup'), left(6, 'A', 'hangup', 'A-leg-2'), ended(7)]);
    expect(r.labels).toEqual(['NA entry A', 'NA exit A', 'TRIGGER_SUMMARY_EVENT', 'END_OF_CONVERSATION A']);
    expect(r.intents.find((i) => i.kind === 'transfer' && i.transition === 'exit')).toBeDefined();
  });
});

describe('context every intent carries', () => {
  it('the defaults when the platform does not say', () => {
    const r = run([{ ...joined(0, 'A'), experience: undefined }], { ...settings, defaultLanguage: 'fr', defaultExperience: 'chat' });
    expect(r.intents[0]).toMatchObject({ experience: 'chat', language: 'fr' });
  });

  it('the first experience and language the platform gave, the locale cut to its language', () => {
    const first: Fact = { ...joined(0, 'A'), experience: 'chat', language: 'de-DE' };
    const later: Fact = { ...said(1, 'USER', 'x'), experience: 'voice', language: 'en_GB' };
    const r = run([first, later], { ...settings, defaultLanguage: 'fr', defaultExperience: 'voice' });
    expect(r.intents.map((i) => [i.experience, i.language])).toEqual([['chat', 'de'], ['chat', 'de']]);
  });

  it('a language that is only a region code or odd casing', () => {
    expect(run([{ ...joined(0, 'A'), language: 'EN_us' }]).intents[0]?.language).toBe('en');
  });
});

describe('who a message is attributed to', () => {
  const message = (s: number, author: 'USER' | 'AGENT', agentIdentity?: string): Fact => ({ ...said(s, author, 'text'), ...(agentIdentity ? { agentIdentity } : {}) });
  const agentIds = (inputs: SequencerInput[]): string[] => run(inputs).intents.flatMap((i) => (i.kind === 'message' ? [i.agentId] : []));

  it('an agent message to its speaker, a user message to the primary agent', () => {
    expect(agentIds([joined(0, 'A'), joined(1, 'B', 'B-leg', 'consult'), message(2, 'AGENT', 'B'), message(3, 'USER', 'B'), message(4, 'AGENT')])).toEqual(['B', 'A', 'A']);
  });

  it('after the last agent left: the one waiting for a successor, then the last one', () => {
    expect(agentIds([joined(0, 'A'), left(1, 'A', 'transfer'), message(2, 'USER')])).toEqual(['A']);
    expect(agentIds([joined(0, 'A'), left(1, 'A', 'dropped'), message(2, 'USER')])).toEqual(['A']);
  });
});

describe('windows and their edges', () => {
  it('a timer before the settle deadline changes nothing; at the deadline the exit is final', () => {
    const base = [joined(0, 'A'), left(10, 'A', 'hangup')];
    expect(stepAll([...base, tick(19.999)]).labels).toEqual(['NA entry A']);
    expect(stepAll([...base, tick(20)]).labels).toEqual(['NA entry A', 'NA exit A']);
    expect(stepAll(base).state.wakeAt).toBe(at(20));
  });

  it('a blind transfer or a consult waits the transfer window, a hang-up the settle window', () => {
    for (const reason of ['transfer', 'consult'] as const) {
      expect(stepAll([joined(0, 'A'), left(10, 'A', reason)]).state.wakeAt, reason).toBe(at(10) + settings.transferSettleMs);
    }
    for (const reason of ['hangup', 'conference'] as const) {
      expect(stepAll([joined(0, 'A'), left(10, 'A', reason)]).state.wakeAt, reason).toBe(at(10) + settings.settleMs);
    }
  });

  it('an agent entering at the very end of the redial window is a redial; after it, a new agent', () => {
    const dropped = [joined(0, 'A'), left(10, 'A', 'dropped')];
    const until = 10 + settings.redialWindowMs / 1000;
    expect(stepAll([...dropped, joined(until, 'B')]).labels).toEqual(['NA entry A', 'NA exit A', 'redial entry B']);
    expect(stepAll([...dropped, { ...joined(until, 'B'), at: at(until) + 1 }]).labels).toEqual(['NA entry A', 'NA exit A', 'cold entry B']);
  });

  it('a drop holds END_OF_CONVERSATION until the redial window is over, not a moment longer', () => {
    const until = 10 + settings.redialWindowMs / 1000;
    const dropped = [joined(0, 'A'), left(10, 'A', 'dropped')];
    expect(stepAll([...dropped, ended(until - 1)]).labels).toEqual(['NA entry A', 'NA exit A']);
    expect(stepAll([...dropped, ended(until)]).labels).toEqual(['NA entry A', 'NA exit A', 'TRIGGER_SUMMARY_EVENT', 'END_OF_CONVERSATION A']);
    expect(stepAll([...dropped, ended(until - 1), tick(until - 0.001)]).labels).toHaveLength(2);
    expect(stepAll([...dropped, ended(until - 1), tick(until)]).labels.at(-1)).toBe('END_OF_CONVERSATION A');
  });

  it("the customer's drop opens the redial window from the customer's drop, not the agent's hang-up", () => {
    const r = stepAll([joined(0, 'A'), customerLeft(5, 'dropped'), left(30, 'A', 'hangup')]);
    expect(r.labels).toEqual(['NA entry A', 'NA exit A']);
    expect(r.state.dropped).toEqual({ at: at(5), until: at(5) + settings.redialWindowMs });
  });

  it('a customer who hung up makes the last agent\'s exit final at once; one who dropped also opens the redial window', () => {
    expect(stepAll([joined(0, 'A'), customerLeft(5, 'hangup'), left(6, 'A', 'hangup')]).labels).toEqual(['NA entry A', 'NA exit A']);
    const waiting = [joined(0, 'A'), left(5, 'A', 'hangup')];
    const hungUp = stepAll([...waiting, customerLeft(6, 'hangup')]);
    expect(hungUp.labels).toEqual(['NA entry A', 'NA exit A']);
    expect(hungUp.state.dropped).toBeUndefined();
    const dropped = stepAll([...waiting, customerLeft(6, 'dropped')]);
    expect(dropped.labels).toEqual(['NA entry A', 'NA exit A']);
    expect(dropped.state.dropped).toEqual({ at: at(6), until: at(6) + settings.redialWindowMs });
  });

  it('after a redial the conversation is as before the drop: a hang-up waits for a successor again', () => {
    const r = stepAll([joined(0, 'A'), customerLeft(5, 'dropped'), left(6, 'A', 'hangup'), joined(20, 'A', 'A-leg-2', 'outbound'), left(40, 'A', 'hangup', 'A-leg-2')]);
    expect(r.labels).toEqual(['NA entry A', 'NA exit A', 'redial entry A']);
    expect(r.state.pendingExit).toMatchObject({ deadline: at(40) + settings.settleMs });
    expect(r.state.dropped).toBeUndefined();
  });
});

describe('the end', () => {
  it('agents still in when the platform ends the conversation leave consultants first (last joined first), the primary last', () => {
    const r = run([joined(0, 'A'), joined(1, 'B', 'B-leg', 'conference'), joined(2, 'C', 'C-leg', 'conference'), ended(10)]);
    expect(r.labels).toEqual(['NA entry A', 'warm entry B', 'warm entry C', 'warm exit C', 'warm exit B', 'NA exit A', 'TRIGGER_SUMMARY_EVENT', 'END_OF_CONVERSATION A']);
  });

  it('a conversation continued by a second platform conversation ends when both have ended', () => {
    const second = (f: Fact): Fact => ({ ...f, conversationId: 'c2' });
    const r = run([joined(0, 'A'), left(5, 'A', 'dropped'), customerLeft(5, 'dropped'), second(joined(20, 'A', 'A2', 'outbound')), ended(21), second(said(22, 'USER', 'still here'))]);
    expect(r.labels).toEqual(['NA entry A', 'NA exit A', 'redial entry A', 'message USER A: still here']);
    const done = run([joined(0, 'A'), left(5, 'A', 'dropped'), customerLeft(5, 'dropped'), second(joined(20, 'A', 'A2', 'outbound')), ended(21), second(left(30, 'A', 'hangup', 'A2')), second(ended(31))]);
    expect(done.labels.slice(-3)).toEqual(['NA exit A', 'TRIGGER_SUMMARY_EVENT', 'END_OF_CONVERSATION A']);
  });

  it('a conversation that ended before any agent entered is closed with nothing sent', () => {
    const r = stepAll([said(0, 'USER', 'hello'), ended(1)]);
    expect(r.labels).toEqual([]);
    expect(r.state).toMatchObject({ phase: 'closed', closedAt: at(1), earlyMessages: [] });
    expect(r.state.wakeAt).toBeUndefined();
  });
});
