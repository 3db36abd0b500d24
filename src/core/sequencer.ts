// One pure state machine per conversation: facts (and timer ticks) in, Agent AI intents out. No I/O and no
// clock of its own: time comes from each input's `at`, and the state says when it next needs a tick (wakeAt).
// The rules are the hooks API's (seeds/kore-agentai-hooks-api.txt): NA entry first; cold/warm in between;
// the final NA exit, then TRIGGER_SUMMARY_EVENT, then END_OF_CONVERSATION exactly once and last.
import type { AgentInfo, AgentJoinedFact, AgentLeftFact, EveryAgentLeftFact, Experience, Fact, MessageFact } from './facts.js';
import type { Intent, IntentBody, TransferType, Transition } from './intents.js';
import { copyState, initialState, mergeCustomer, type ConversationState } from './conversation-state.js';

export { initialState };
export type { ConversationState };

export interface SequencerSettings {
  /** How long a last agent's normal exit waits for a successor before it counts as the final NA exit. */
  readonly settleMs: number;
  /** The same for a blind transfer, which announces a successor: long enough for a queue wait. */
  readonly transferSettleMs: number;
  /** After an abrupt drop, how long an agent entering again counts as a redial (and EOC is held back). */
  readonly redialWindowMs: number;
  /** Emit TRIGGER_SUMMARY_EVENT between the final NA exit and END_OF_CONVERSATION. */
  readonly summary: boolean;
  readonly defaultLanguage: string;
  readonly defaultExperience: Experience;
  /** Messages that arrive before the first agent: flushed right after NA entry, or dropped. */
  readonly earlyMessages: 'flush' | 'drop';
  readonly earlyMessageLimit: number;
  /** The transfer type of a callback conversation's first entry (the seed allows redial). */
  readonly callbackEntry: 'NA' | 'redial';
}

export interface TimerTick {
  readonly type: 'timer';
  readonly at: number;
}

export type SequencerInput = Fact | TimerTick;

export type IgnoredReason =
  | 'after-end'
  | 'duplicate-leg'
  | 'unknown-leg'
  /** Everyone left, but nobody was there. */
  | 'no-agent'
  | 'early-message-dropped'
  | 'early-message-overflow';

export interface StepResult {
  readonly state: ConversationState;
  readonly intents: Intent[];
  /** Set when the input changed nothing, with why: counted and logged by the caller. */
  readonly ignored?: IgnoredReason;
}

export function step(previous: ConversationState, input: SequencerInput, settings: SequencerSettings): StepResult {
  const state = copyState(previous);
  const out: IntentBody[] = [];
  const ignored = apply(state, input, settings, out);
  state.wakeAt = nextWake(state);
  const experience = state.experience ?? settings.defaultExperience;
  const language = state.language ?? settings.defaultLanguage;
  const intents = out.map((body): Intent => ({ ...body, experience, language }));
  return ignored ? { state, intents, ignored } : { state, intents };
}

export function isClosed(state: ConversationState): boolean {
  return state.phase === 'closed';
}

/** The redial window a new conversation may continue, if this one is waiting in one. */
export function openRedialWindow(state: ConversationState): { until: number } | undefined {
  return state.phase === 'open' && state.dropped ? { until: state.dropped.until } : undefined;
}

function apply(
  state: ConversationState,
  input: SequencerInput,
  settings: SequencerSettings,
  out: IntentBody[],
): IgnoredReason | undefined {
  if (state.phase === 'closed') return 'after-end';
  if (input.type === 'timer') {
    onTimer(state, input.at, settings, out);
    return undefined;
  }
  noteContext(state, input);
  switch (input.type) {
    case 'agent.joined':
      return onJoined(state, input, settings, out);
    case 'agent.left':
      return onLeft(state, input, settings, out);
    case 'agents.left':
      return onEveryoneLeft(state, input, settings, out);
    case 'customer.left':
      state.customer = mergeCustomer(state.customer, input.customer);
      if (input.reason === 'dropped') state.customerDroppedAt ??= input.at;
      else state.customerGone = true;
      // Nobody is coming back for a customer who has gone: the pending exit is the final one.
      if (state.pendingExit) {
        if (input.reason === 'dropped') openDropWindow(state, input.at, settings);
        finalExit(state, state.pendingExit.agent, input.at, settings, out);
      }
      return undefined;
    case 'message':
      return onMessage(state, input, settings, out);
    case 'conversation.ended':
      state.platforms[input.conversationId] = { ended: true };
      closeIfOver(state, input.at, settings, out);
      return undefined;
  }
}

function noteContext(state: ConversationState, fact: Fact): void {
  state.platforms[fact.conversationId] ??= { ended: false };
  if (!state.experience && fact.experience) state.experience = fact.experience;
  if (!state.language && fact.language) state.language = primaryLanguage(fact.language);
}

function onJoined(
  state: ConversationState,
  fact: AgentJoinedFact,
  settings: SequencerSettings,
  out: IntentBody[],
): IgnoredReason | undefined {
  if (state.legs[fact.leg]) return 'duplicate-leg';
  state.legs[fact.leg] = 'joined';
  state.customer = mergeCustomer(state.customer, fact.customer);
  const already = state.active.find((a) => a.agent.identity === fact.agent.identity);
  if (already) {
    already.legs.push(fact.leg);
    return undefined;
  }
  state.active.push({ agent: fact.agent, legs: [fact.leg] });

  if (state.phase === 'waiting') {
    state.phase = 'open';
    const type: TransferType = fact.via === 'callback' ? settings.callbackEntry : 'NA';
    out.push(transfer(type, 'entry', fact.agent));
    for (const m of state.earlyMessages) out.push(messageIntent(state, m));
    state.earlyMessages = [];
    return undefined;
  }
  if (state.active.length > 1) {
    out.push(transfer('warm', 'entry', fact.agent));
  } else if (state.pendingExit) {
    out.push(transfer('cold', 'exit', state.pendingExit.agent));
    out.push(transfer('cold', 'entry', fact.agent));
    state.pendingExit = undefined;
  } else if (state.dropped && fact.at <= state.dropped.until) {
    out.push(transfer('redial', 'entry', fact.agent));
    reopenAfterRedial(state);
  } else {
    // The previous final exit was already classified (settle or redial window over) and the customer is
    // still there: this agent replaces that one.
    out.push(transfer('cold', 'entry', fact.agent));
    state.dropped = undefined;
  }
  return undefined;
}

function openDropWindow(state: ConversationState, from: number, settings: SequencerSettings): void {
  state.dropped = { at: from, until: from + settings.redialWindowMs };
}

function reopenAfterRedial(state: ConversationState): void {
  state.dropped = undefined;
  state.customerDroppedAt = undefined;
  state.customerGone = false;
}

function onLeft(
  state: ConversationState,
  fact: AgentLeftFact,
  settings: SequencerSettings,
  out: IntentBody[],
): IgnoredReason | undefined {
  if (state.legs[fact.leg] !== 'joined') return state.legs[fact.leg] ? 'duplicate-leg' : 'unknown-leg';
  state.legs[fact.leg] = 'left';
  const index = state.active.findIndex((a) => a.legs.includes(fact.leg));
  const holder = state.active[index];
  if (!holder) return 'unknown-leg';
  holder.legs.splice(holder.legs.indexOf(fact.leg), 1);
  if (holder.legs.length > 0) return undefined;
  state.active.splice(index, 1);

  if (state.active.length > 0) {
    out.push(transfer('warm', 'exit', holder.agent));
    state.lastAgent = holder.agent;
    return undefined;
  }
  if (fact.reason === 'dropped' || state.customerDroppedAt !== undefined) {
    // Open the redial window before the exit, so an end that is already known waits for it.
    openDropWindow(state, state.customerDroppedAt ?? fact.at, settings);
    finalExit(state, holder.agent, fact.at, settings, out);
    return undefined;
  }
  if (state.customerGone || allPlatformsEnded(state)) {
    finalExit(state, holder.agent, fact.at, settings, out);
    return undefined;
  }
  state.lastAgent = holder.agent;
  const settle = fact.reason === 'transfer' || fact.reason === 'consult' ? settings.transferSettleMs : settings.settleMs;
  state.pendingExit = { agent: holder.agent, reason: fact.reason, at: fact.at, deadline: fact.at + settle };
  return undefined;
}

function onEveryoneLeft(
  state: ConversationState,
  fact: EveryAgentLeftFact,
  settings: SequencerSettings,
  out: IntentBody[],
): IgnoredReason | undefined {
  if (state.active.length === 0) return 'no-agent';
  // Leg by leg, agents in the order they joined: exactly what naming each of them would have done.
  for (const holder of [...state.active]) {
    for (const leg of [...holder.legs]) {
      onLeft(state, { ...fact, type: 'agent.left', leg, agent: holder.agent }, settings, out);
    }
  }
  return undefined;
}

function onMessage(
  state: ConversationState,
  fact: MessageFact,
  settings: SequencerSettings,
  out: IntentBody[],
): IgnoredReason | undefined {
  const message = {
    author: fact.author,
    text: fact.text,
    messageId: fact.messageId,
    ...(fact.agentIdentity ? { agentIdentity: fact.agentIdentity } : {}),
    ...(fact.textRef ? { textRef: fact.textRef } : {}),
  };
  if (state.phase === 'waiting') {
    if (settings.earlyMessages === 'drop') return 'early-message-dropped';
    if (state.earlyMessages.length >= settings.earlyMessageLimit) return 'early-message-overflow';
    state.earlyMessages.push(message);
    return undefined;
  }
  out.push(messageIntent(state, message));
  return undefined;
}

function onTimer(state: ConversationState, at: number, settings: SequencerSettings, out: IntentBody[]): void {
  if (state.pendingExit && at >= state.pendingExit.deadline) {
    finalExit(state, state.pendingExit.agent, at, settings, out);
  }
  if (state.dropped && at >= state.dropped.until) {
    state.dropped = undefined;
    closeIfOver(state, at, settings, out);
  }
}

/** The last agent is gone for good: NA exit. Summary and EOC wait for the platform's end. */
function finalExit(
  state: ConversationState,
  agent: AgentInfo,
  at: number,
  settings: SequencerSettings,
  out: IntentBody[],
): void {
  out.push(transfer('NA', 'exit', agent));
  state.lastAgent = agent;
  state.pendingExit = undefined;
  closeIfOver(state, at, settings, out);
}

function closeIfOver(state: ConversationState, at: number, settings: SequencerSettings, out: IntentBody[]): void {
  if (!allPlatformsEnded(state)) return;
  if (state.phase === 'waiting') {
    // No agent ever entered: Agent AI never heard of this conversation, so there is nothing to end.
    close(state, at);
    return;
  }
  if (state.active.length > 0) {
    // The platform ended the conversation before telling us each agent left: consultants first, primary last.
    const [primary, ...others] = state.active;
    for (const other of others.reverse()) out.push(transfer('warm', 'exit', other.agent));
    state.active = [];
    if (primary) {
      out.push(transfer('NA', 'exit', primary.agent));
      state.lastAgent = primary.agent;
    }
  }
  if (state.pendingExit) {
    out.push(transfer('NA', 'exit', state.pendingExit.agent));
    state.lastAgent = state.pendingExit.agent;
    state.pendingExit = undefined;
  }
  // A drop may still be redialled as a new conversation: hold the end until the window closes.
  if (state.dropped && at < state.dropped.until) return;
  if (settings.summary) out.push({ kind: 'summary' });
  out.push({ kind: 'end', agent: state.lastAgent ?? { identity: 'unknown' } });
  close(state, at);
}

function close(state: ConversationState, at: number): void {
  state.phase = 'closed';
  state.closedAt = at;
  state.dropped = undefined;
  state.pendingExit = undefined;
  state.earlyMessages = [];
}

function allPlatformsEnded(state: ConversationState): boolean {
  const all = Object.values(state.platforms);
  return all.length > 0 && all.every((p) => p.ended);
}

function nextWake(state: ConversationState): number | undefined {
  if (state.phase === 'closed') return undefined;
  const candidates = [state.pendingExit?.deadline, state.dropped?.until].filter((t): t is number => t !== undefined);
  return candidates.length ? Math.min(...candidates) : undefined;
}

function transfer(transferType: TransferType, transition: Transition, agent: AgentInfo): IntentBody {
  return { kind: 'transfer', transferType, transition, agent };
}

function messageIntent(state: ConversationState, m: ConversationState['earlyMessages'][number]): IntentBody {
  const primary = state.active[0]?.agent ?? state.pendingExit?.agent ?? state.lastAgent;
  const agentId = (m.author === 'AGENT' ? m.agentIdentity : undefined) ?? primary?.identity ?? 'unknown';
  return { kind: 'message', author: m.author, text: m.text, messageId: m.messageId, agentId, ...(m.textRef ? { textRef: m.textRef } : {}) };
}

/** Agent AI takes a language code ('en'); platforms send locales ('en-US', 'en_GB'). */
function primaryLanguage(locale: string): string {
  return (locale.split(/[-_]/)[0] ?? locale).toLowerCase() || locale;
}
