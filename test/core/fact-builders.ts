// Terse fact constructors for sequencer tests. Times are seconds from t0 to keep tables readable.
import type { AgentLeftReason, CustomerLeftReason, Fact, JoinVia } from '../../src/core/facts.js';
import type { Intent } from '../../src/core/intents.js';
import { initialState, step, type ConversationState, type SequencerInput, type SequencerSettings } from '../../src/core/sequencer.js';

export const T0 = Date.parse('2026-05-04T10:00:00Z');
const at = (s: number): number => T0 + s * 1000;
let counter = 0;
const key = (): string => `k${++counter}`;

export const settings: SequencerSettings = {
  settleMs: 10_000,
  transferSettleMs: 300_000,
  redialWindowMs: 60_000,
  summary: true,
  defaultLanguage: 'en',
  defaultExperience: 'voice',
  earlyMessages: 'flush',
  earlyMessageLimit: 20,
  callbackEntry: 'redial',
};

export const joined = (s: number, who: string, leg = `${who}-leg`, via: JoinVia = 'routing', conv = 'c1'): Fact => ({
  type: 'agent.joined', conversationId: conv, dedupeKey: key(), at: at(s), source: 'test', leg, via,
  agent: { identity: who, name: `Agent ${who}` }, experience: 'voice',
});
export const left = (s: number, who: string, reason: AgentLeftReason, leg = `${who}-leg`, conv = 'c1'): Fact => ({
  type: 'agent.left', conversationId: conv, dedupeKey: key(), at: at(s), source: 'test', leg, reason,
  agent: { identity: who },
});
/** Every agent still there left, unnamed (Ada's handoff.ended). */
export const everyoneLeft = (s: number, reason: AgentLeftReason = 'hangup', conv = 'c1'): Fact => ({
  type: 'agents.left', conversationId: conv, dedupeKey: key(), at: at(s), source: 'test', reason,
});
export const customerLeft = (s: number, reason: CustomerLeftReason, conv = 'c1'): Fact => ({
  type: 'customer.left', conversationId: conv, dedupeKey: key(), at: at(s), source: 'test', reason,
});
export const ended = (s: number, conv = 'c1'): Fact => ({
  type: 'conversation.ended', conversationId: conv, dedupeKey: key(), at: at(s), source: 'test',
});
export const said = (s: number, author: 'USER' | 'AGENT', text: string, conv = 'c1'): Fact => ({
  type: 'message', conversationId: conv, dedupeKey: key(), at: at(s), source: 'test', author, text, messageId: key(),
});
export const tick = (s: number): SequencerInput => ({ type: 'timer', at: at(s) });

/** Compact label per intent, the same vocabulary the fake Agent AI uses for its timelines. */
export function label(i: Intent): string {
  switch (i.kind) {
    case 'transfer': return `${i.transferType} ${i.transition} ${i.agent.identity}`;
    case 'summary': return 'TRIGGER_SUMMARY_EVENT';
    case 'end': return `END_OF_CONVERSATION ${i.agent.identity}`;
    case 'message': return `message ${i.author} ${i.agentId}: ${i.text}`;
  }
}

/** Runs inputs through one sequencer, firing due timers before each input as the runtime does. */
export function run(inputs: SequencerInput[], s: SequencerSettings = settings): { labels: string[]; state: ConversationState; intents: Intent[] } {
  let state = initialState();
  const intents: Intent[] = [];
  const feed = (input: SequencerInput): void => {
    const r = step(state, input, s);
    state = r.state;
    intents.push(...r.intents);
  };
  for (const input of inputs) {
    while (state.wakeAt !== undefined && state.wakeAt <= input.at && input.type !== 'timer') feed({ type: 'timer', at: state.wakeAt });
    feed(input);
  }
  return { labels: intents.map(label), state, intents };
}
