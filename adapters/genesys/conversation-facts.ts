// Turns one conversation snapshot into facts. The diff lists forward steps per leg; they are replayed here
// in time order against memory, so "who else was connected" and "how did the last agent leave" are judged
// as of each step, even when one snapshot (a REST body after a gap) carries several of them. Agent legs that
// are not an agent entering the conversation (withheld.ts) are held back; one that becomes an agent while
// connected (a supervisor barging in, a customer joining a user-to-user call) joins then.
import type {
  AgentInfo,
  AgentJoinedFact,
  AgentLeftFact,
  ConversationEndedFact,
  CustomerInfo,
  CustomerLeftFact,
  Fact,
} from '../../src/core/facts.js';
import { withDefined } from './compact.js';
import type { ConversationMemory, LegMemory } from './conversation-memory.js';
import { dedupeKeys, SOURCE } from './dedupe-keys.js';
import { agentLeftReason, customerLeftReason } from './disconnect.js';
import { sortFacts } from './fact-order.js';
import type { IgnoredInput } from './ignored.js';
import { joinVia } from './join-via.js';
import { maxDefined } from './lenient.js';
import { experienceOf, type ConversationSnapshot, type Leg } from './legs.js';
import { diffSnapshot, type LegChange, type LegEvent } from './snapshot-diff.js';
import { withheldForGood, withheldReason } from './withheld.js';

export interface SnapshotContext {
  readonly snapshot: ConversationSnapshot;
  readonly memory: ConversationMemory;
  /** For a digital consult's own conversation: the memory of the customer's conversation, when known. */
  readonly parent?: ConversationMemory | undefined;
  readonly now: number;
  readonly warn: (message: string) => void;
  readonly onUnknownDisconnectType: (value: string) => void;
  /** Input recognised and deliberately not turned into facts (counted, not warned about). */
  readonly onIgnored: (reason: IgnoredInput) => void;
}

export function snapshotFacts(context: SnapshotContext): Fact[] {
  const { snapshot, memory, now } = context;
  const { changes, events } = diffSnapshot(snapshot.legs, memory, now);
  register(changes, memory);
  // A snapshot that moves nothing may be stale: it must not roll the remembered queue back.
  if (changes.length > 0 || memory.queueId === undefined) rememberConversation(snapshot, memory);
  if (snapshot.legs.some((l) => l.role === 'customer')) memory.customerSeen = true;

  const customer = primaryCustomer(snapshot.legs);
  const facts: Fact[] = [];
  for (const event of orderEvents(events)) {
    facts.push(...(event.kind === 'connected' ? onConnected(event, customer, context) : onEnded(event, customer, context)));
  }
  facts.push(...promoted(customer, context));
  for (const change of changes) {
    const remembered = memory.legs.get(change.key);
    if (remembered && remembered.phase < change.to) remembered.phase = change.to;
  }
  const ended = endedFact(snapshot, memory, now, facts);
  if (ended) facts.push(ended);
  return sortFacts(memory.parentConversationId === undefined ? facts : intoParent(facts, memory.parentConversationId));
}

/**
 * A digital consult's own conversation is not a customer conversation: its agents enter and leave the
 * customer's conversation by consult (keys keep the consult's id, so they never collide with the parent's),
 * and its end is not the parent's end.
 */
function intoParent(facts: readonly Fact[], parentId: string): Fact[] {
  const related: Fact[] = [];
  for (const fact of facts) {
    if (fact.type === 'agent.joined') related.push({ ...fact, conversationId: parentId, via: 'consult' });
    else if (fact.type === 'agent.left') related.push({ ...fact, conversationId: parentId });
  }
  return related;
}

function register(changes: readonly LegChange[], memory: ConversationMemory): void {
  for (const { leg, key, alias, known } of changes) {
    if (alias !== undefined) (memory.aliases ??= new Map()).set(alias, key);
    if (!known) {
      const created: LegMemory = {
        key,
        participantId: leg.participantId,
        communicationId: leg.communicationId,
        synthetic: leg.synthetic,
        media: leg.media,
        role: leg.role,
        phase: 0,
        connected: false,
        announced: false,
        // Declared now, set later: V8 keeps fields an object is created with inside it; fields added later
        // need a property store of their own (goal 6: an open conversation's heap).
        connectedAt: undefined,
        endedAt: undefined,
        userId: undefined,
        withheld: undefined,
      };
      memory.legs.set(key, created);
    }
    const remembered = memory.legs.get(key);
    if (remembered && leg.userId !== undefined) remembered.userId = leg.userId;
  }
}

/** Queue and medium for facts that carry none of their own (messages, the end). */
function rememberConversation(snapshot: ConversationSnapshot, memory: ConversationMemory): void {
  const agentQueue = [...snapshot.legs].reverse().find((l) => l.role === 'agent' && l.phase === 1 && l.queueId)?.queueId;
  const customerQueue = snapshot.legs.find((l) => l.role === 'customer' && l.queueId)?.queueId;
  const routingQueue = [...snapshot.legs].reverse().find((l) => l.role === 'other' && l.queueId)?.queueId;
  const queueId = agentQueue ?? customerQueue ?? routingQueue;
  if (queueId !== undefined) memory.queueId = queueId;
  const primary = primaryCustomer(snapshot.legs) ?? snapshot.legs.find((l) => l.role === 'agent');
  if (primary) memory.experience = experienceOf(primary.media);
}

const EVENT_RANK = { agentEnded: 0, connected: 1, otherEnded: 3 } as const;

function orderEvents(events: readonly LegEvent[]): LegEvent[] {
  const rank = (e: LegEvent): number =>
    e.kind === 'connected' ? EVENT_RANK.connected : e.change.leg.role === 'agent' ? EVENT_RANK.agentEnded : EVENT_RANK.otherEnded;
  return [...events].sort((a, b) => a.at - b.at || rank(a) - rank(b));
}

function onConnected(event: LegEvent, customer: Leg | undefined, context: SnapshotContext): Fact[] {
  const { leg, key } = event.change;
  const remembered = context.memory.legs.get(key);
  if (!remembered) return [];
  remembered.phase = 1;
  remembered.connected = true;
  remembered.connectedAt = event.at;
  if (leg.role !== 'agent' || !mayAnnounce(leg, remembered, context)) return [];
  return [announce(leg, remembered, event.at, customer, context)];
}

function onEnded(event: LegEvent, customer: Leg | undefined, context: SnapshotContext): Fact[] {
  const { memory, snapshot } = context;
  const { leg, key } = event.change;
  const remembered = memory.legs.get(key);
  if (!remembered) return [];
  const facts: Fact[] = [];
  // Became an agent and left between two snapshots (a barge-in that was over by the next frame).
  if (leg.role === 'agent' && remembered.connected && !remembered.announced && remembered.phase === 1 && mayAnnounce(leg, remembered, context)) {
    facts.push(announce(leg, remembered, Math.min(event.at - 1, promotionTime(leg, remembered, context)), customer, context));
  }
  remembered.phase = 2;
  remembered.endedAt = event.at;
  if (!event.afterConnection || leg.role === 'other') return facts;
  const legId = remembered.key;
  if (leg.role === 'agent') {
    if (!remembered.announced) return facts;
    const { reason, unknown } = agentLeftReason(leg.disconnectType);
    if (unknown !== undefined) reportUnknown(unknown, legId, 'hangup', context);
    memory.lastAgentExit = reason;
    const agent = agentInfo(leg, context);
    facts.push(
      withDefined({
        type: 'agent.left' as const,
        conversationId: snapshot.conversationId,
        dedupeKey: dedupeKeys.left(snapshot.conversationId, legId),
        at: event.at,
        source: SOURCE,
        queueId: agent.queueId ?? memory.queueId,
        experience: experienceOf(leg.media),
        leg: legId,
        agent,
        reason,
      }),
    );
    return facts;
  }
  const { reason, unknown } = customerLeftReason(leg.disconnectType);
  if (unknown !== undefined) reportUnknown(unknown, legId, 'dropped', context);
  facts.push(
    withDefined({
      type: 'customer.left' as const,
      conversationId: snapshot.conversationId,
      dedupeKey: dedupeKeys.customerLeft(snapshot.conversationId, legId),
      at: event.at,
      source: SOURCE,
      queueId: leg.queueId ?? memory.queueId,
      experience: experienceOf(leg.media),
      reason,
      customer: customerInfo(leg, undefined),
    }),
  );
  return facts;
}

/** Agent legs connected earlier but held back that count as agents as of this snapshot. */
function promoted(customer: Leg | undefined, context: SnapshotContext): AgentJoinedFact[] {
  const { memory, snapshot } = context;
  const facts: AgentJoinedFact[] = [];
  for (const leg of snapshot.legs) {
    if (leg.role !== 'agent' || leg.phase !== 1) continue;
    const remembered = memory.legs.get(memory.aliases?.get(leg.key) ?? leg.key);
    if (!remembered || !remembered.connected || remembered.announced || remembered.phase !== 1) continue;
    if (!mayAnnounce(leg, remembered, context)) continue;
    facts.push(announce(leg, remembered, promotionTime(leg, remembered, context), customer, context));
  }
  return facts;
}

/** Counts a withheld leg once per reason; a reason that cannot go away keeps the leg withheld. */
function mayAnnounce(leg: Leg, remembered: LegMemory, context: SnapshotContext): boolean {
  if (withheldForGood(remembered)) return false;
  const reason = withheldReason(leg, context.memory, context.parent);
  if (reason === undefined) return true;
  if (remembered.withheld !== reason) {
    remembered.withheld = reason;
    context.onIgnored(reason);
  }
  return false;
}

/**
 * When a held-back leg became an agent: the barge-in's own time, else the leg's connection when only the
 * customer was missing (the user-to-user call became a customer call), else the snapshot's latest time.
 */
function promotionTime(leg: Leg, remembered: LegMemory, context: SnapshotContext): number {
  const connectedAt = remembered.connectedAt ?? context.now;
  if (leg.bargedAt !== undefined) return Math.max(connectedAt, leg.bargedAt);
  if (remembered.withheld === 'no-customer' || remembered.withheld === undefined) return connectedAt;
  return Math.max(connectedAt, context.snapshot.latestTime ?? context.now);
}

function announce(leg: Leg, remembered: LegMemory, at: number, customer: Leg | undefined, context: SnapshotContext): AgentJoinedFact {
  const { memory, snapshot } = context;
  // The first spelling memory saw names the leg, so its entry and exit share one leg id.
  const legId = remembered.key;
  const via = joinVia({
    leg,
    key: remembered.key,
    memory,
    customerHeld: customer?.held === true && customer.phase === 1,
    participantHasCallback: snapshot.legs.some((l) => l.participantId === leg.participantId && l.media === 'callbacks'),
  });
  const agent = agentInfo(leg, context);
  remembered.announced = true;
  memory.agentEverConnected = true;
  return withDefined({
    type: 'agent.joined' as const,
    conversationId: snapshot.conversationId,
    dedupeKey: dedupeKeys.joined(snapshot.conversationId, legId),
    at,
    source: SOURCE,
    queueId: agent.queueId ?? customer?.queueId ?? memory.queueId,
    experience: experienceOf(leg.media),
    leg: legId,
    agent,
    via,
    direction: customer?.direction ?? leg.direction,
    customer: customerInfo(customer, leg),
  });
}

/**
 * Over once every leg of every participant we know is disconnected or terminated (IVR and queue legs
 * included, and at least one agent or customer leg among them), or when a REST body carries `endTime`.
 * Memory rather than the snapshot decides, so a stale snapshot cannot hide a leg that already ended.
 */
function endedFact(
  snapshot: ConversationSnapshot,
  memory: ConversationMemory,
  now: number,
  facts: readonly Fact[],
): ConversationEndedFact | undefined {
  if (memory.ended) return undefined;
  const legs = [...memory.legs.values()];
  const everyLegOver = legs.every((l) => l.phase === 2) && legs.some((l) => l.role !== 'other');
  if (snapshot.endTime === undefined && !everyLegOver) return undefined;
  memory.ended = true;
  const endedAt = snapshot.endTime ?? maxDefined(snapshot.legs.map((l) => l.endedAt)) ?? now;
  // Never before the exits it concludes, whatever the payload's clocks say.
  const at = Math.max(endedAt, ...facts.map((f) => f.at));
  return withDefined({
    type: 'conversation.ended' as const,
    conversationId: snapshot.conversationId,
    dedupeKey: dedupeKeys.ended(snapshot.conversationId),
    at,
    source: SOURCE,
    queueId: memory.queueId,
    experience: memory.experience,
  });
}

/** The customer is the `customer` participant when there is one (an `external` party may be a consult target). */
export function primaryCustomer(legs: readonly Leg[]): Leg | undefined {
  const score = (l: Leg): number => (l.purpose === 'customer' ? 2 : 0) + (l.phase === 1 ? 1 : 0);
  let best: Leg | undefined;
  for (const l of legs) {
    if (l.role === 'customer' && (best === undefined || score(l) > score(best))) best = l;
  }
  return best;
}

/** Without a customer address (an outbound call before the far end answers), the agent leg's far end is the customer. */
function customerInfo(customer: Leg | undefined, agentLeg: Leg | undefined): CustomerInfo | undefined {
  const info = withDefined({
    address: customer?.address ?? agentLeg?.otherAddress,
    externalContactId: customer?.externalContactId,
  });
  return Object.keys(info).length > 0 ? info : undefined;
}

function agentInfo(leg: Leg, context: SnapshotContext): AgentInfo {
  if (leg.userId === undefined) {
    context.warn(
      `genesys: conversation ${context.snapshot.conversationId}: agent participant ${leg.participantId} has no user id; using the participant id`,
    );
  }
  return withDefined({ identity: leg.userId ?? leg.participantId, name: leg.name, queueId: leg.queueId });
}

function reportUnknown(value: string, legId: string, treatedAs: string, context: SnapshotContext): void {
  context.warn(
    `genesys: conversation ${context.snapshot.conversationId} leg ${legId}: unknown disconnectType "${value}", treated as ${treatedAs}`,
  );
  context.onUnknownDisconnectType(value);
}
