// Both conversation shapes reduced to one list of media legs, the unit the diff works on. A leg is a
// participant id plus a communication id: the same user can hold several participant entries (transfer
// back, reconnect) and one participant several legs (a callback, then the call it places).
import type { Experience } from '../../src/core/facts.js';
import { normaliseAddress } from './address.js';
import { withDefined } from './compact.js';
import type {
  Communication,
  FlattenedConversation,
  FlattenedParticipant,
  NestedConversation,
  NestedParticipant,
} from './conversation-schema.js';
import { maxDefined, openEnum, toEpochMs } from './lenient.js';
import type { MediaKind } from './topics.js';

export type LegRole = 'agent' | 'customer' | 'other';
/** 0: not yet connected (alerting, dialing, offering...), 1: connected, 2: disconnected or terminated. */
export type LegPhase = 0 | 1 | 2;

/**
 * A supervisor's participant: listening (`monitor`, `screen-monitor`), talking to the agent only (`coach`),
 * or barged in and heard by everyone (`barge`).
 */
export type Supervision = 'monitor' | 'coach' | 'screen-monitor' | 'barge';

export interface DigitalMessage {
  readonly messageId: string;
  readonly messageTime?: string;
}

export interface Leg {
  /** `participantId:communicationId` */
  readonly key: string;
  readonly participantId: string;
  readonly communicationId: string;
  /** True when Genesys gave no communication id and we used the media type (flattened shape). */
  readonly synthetic: boolean;
  readonly media: MediaKind;
  readonly role: LegRole;
  /** Lower-cased participant purpose (agent, user, customer, external, acd, ivr, ...). */
  readonly purpose?: string;
  readonly phase: LegPhase;
  readonly connectedAt?: number;
  readonly endedAt?: number;
  readonly disconnectType?: string;
  readonly direction?: 'inbound' | 'outbound';
  /** On hold, in silence (`held`) or hearing hold music (`confined`). */
  readonly held: boolean;
  readonly supervision?: Supervision;
  /** When a supervisor barged in (`calls[].bargedTime`, flattened `bargedTime`). */
  readonly bargedAt?: number;
  readonly userId?: string;
  readonly name?: string;
  readonly queueId?: string;
  readonly consultParticipantId?: string;
  /** This party's own address, normalised (see address.ts). */
  readonly address?: string;
  /** The far end's address as seen from this leg, normalised. */
  readonly otherAddress?: string;
  readonly externalContactId?: string;
  readonly messages: readonly DigitalMessage[];
}

export interface ConversationSnapshot {
  readonly conversationId: string;
  /** Set by REST bodies once the conversation is over. */
  readonly endTime?: number;
  /** A digital consult names the customer's conversation it was opened from (`associatedConversation`). */
  readonly parentConversationId?: string;
  /** Consults opened from this conversation, each a conversation of its own (`consultationConversations`). */
  readonly consultationIds: readonly string[];
  readonly legs: readonly Leg[];
  /** Latest timestamp anywhere in the payload. */
  readonly latestTime?: number;
}

const AGENT_PURPOSES = new Set(['agent', 'user']);
const CUSTOMER_PURPOSES = new Set(['customer', 'external']);
const OVER_STATES = new Set(['disconnected', 'terminated']);
// Media the bridge relays. videos, screenshares, cobrowsesessions, socialExpressions, internalMessages and
// screenMonitorings are not read at all: a participant with only such legs has no leg here.
const NESTED_MEDIA: readonly MediaKind[] = ['calls', 'callbacks', 'chats', 'messages', 'emails'];

export function experienceOf(media: MediaKind): Experience {
  return media === 'calls' || media === 'callbacks' ? 'voice' : 'chat';
}

export function roleOf(purpose: string | undefined): LegRole {
  const value = openEnum(purpose);
  if (value !== undefined && AGENT_PURPOSES.has(value)) return 'agent';
  if (value !== undefined && CUSTOMER_PURPOSES.has(value)) return 'customer';
  return 'other';
}

/**
 * Connected when the state says so or a connectedTime is set; over when disconnected/terminated (or, with
 * no state at all, when an end time is set). Everything else, known or not, counts as not yet connected.
 */
export function phaseOf(state: string | undefined, connectedAt: number | undefined, endedAt: number | undefined): LegPhase {
  const value = openEnum(state);
  if (value !== undefined ? OVER_STATES.has(value) : endedAt !== undefined) return 2;
  if (value === 'connected' || connectedAt !== undefined) return 1;
  return 0;
}

export function nestedSnapshot(conversation: NestedConversation): ConversationSnapshot {
  const legs = conversation.participants.flatMap(nestedLegs);
  const times = conversation.participants.flatMap(nestedTimes);
  times.push(toEpochMs(conversation.startTime), toEpochMs(conversation.endTime));
  return snapshot(conversation, legs, times);
}

export function flattenedSnapshot(conversation: FlattenedConversation, media: MediaKind): ConversationSnapshot {
  const legs = conversation.participants.map((participant) => flattenedLeg(participant, media));
  const times = conversation.participants.flatMap((p) => [
    toEpochMs(p.startTime),
    toEpochMs(p.connectedTime),
    toEpochMs(p.endTime),
    toEpochMs(p.startHoldTime),
    toEpochMs(p.bargedTime),
    ...p.messages.map((m) => toEpochMs(m.messageTime)),
  ]);
  times.push(toEpochMs(conversation.startTime), toEpochMs(conversation.endTime));
  return snapshot(conversation, legs, times);
}

function snapshot(
  conversation: NestedConversation | FlattenedConversation,
  legs: Leg[],
  times: Array<number | undefined>,
): ConversationSnapshot {
  const endTime = toEpochMs(conversation.endTime);
  const latestTime = maxDefined(times);
  const parent = conversation.associatedConversation?.id;
  return {
    conversationId: conversation.id,
    legs,
    consultationIds: conversation.consultationConversations.map((c) => c.id),
    ...(endTime !== undefined ? { endTime } : {}),
    ...(parent ? { parentConversationId: parent } : {}),
    ...(latestTime !== undefined ? { latestTime } : {}),
  };
}

/** A barge wins over the listening roles: a monitor who barges in may keep `monitoredParticipantId`. */
function supervisionOf(
  participant: { monitoredParticipantId?: string | undefined; coachedParticipantId?: string | undefined; bargedParticipantId?: string | undefined; screenMonitoredParticipantId?: string | undefined },
  bargedAt: number | undefined,
): Supervision | undefined {
  if (participant.bargedParticipantId || bargedAt !== undefined) return 'barge';
  if (participant.coachedParticipantId) return 'coach';
  if (participant.monitoredParticipantId) return 'monitor';
  if (participant.screenMonitoredParticipantId) return 'screen-monitor';
  return undefined;
}

function nestedLegs(participant: NestedParticipant): Leg[] {
  const communications = NESTED_MEDIA.flatMap((media) =>
    participant[media].map((communication, index) => ({ media, communication, index })),
  );
  // Participant times describe the participant's only leg when there is one; with several they are ambiguous.
  const single = communications.length === 1;
  return communications.map(({ media, communication, index }) =>
    nestedLeg(participant, media, communication, index, single),
  );
}

function nestedLeg(
  participant: NestedParticipant,
  media: MediaKind,
  communication: Communication,
  index: number,
  single: boolean,
): Leg {
  const synthetic = !communication.id;
  const communicationId = communication.id || (index === 0 ? media : `${media}-${index}`);
  const connectedAt =
    toEpochMs(communication.connectedTime) ?? (single ? toEpochMs(participant.connectedTime) : undefined);
  const endedAt = toEpochMs(communication.disconnectedTime) ?? (single ? toEpochMs(participant.endTime) : undefined);
  const bargedAt = toEpochMs(communication.bargedTime);
  const identity: LegIdentity = {
    participantId: participant.id,
    communicationId,
    synthetic,
    media,
    role: roleOf(participant.purpose),
    phase: phaseOf(communication.state, connectedAt, endedAt),
    held: communication.held === true || communication.confined === true,
    messages: digitalMessages(communication.messages),
  };
  return leg(identity, {
    purpose: openEnum(participant.purpose),
    supervision: supervisionOf(participant, bargedAt),
    bargedAt,
    connectedAt,
    endedAt,
    disconnectType: communication.disconnectType,
    direction: directionOf(communication.direction),
    userId: participant.userId ?? participant.user?.id,
    name: participant.name,
    queueId: participant.queueId ?? participant.queue?.id,
    consultParticipantId: participant.consultParticipantId,
    address: normaliseAddress(ownAddress(participant, media, communication)),
    otherAddress: normaliseAddress(communication.other?.addressNormalized ?? communication.other?.addressRaw),
    externalContactId: participant.externalContactId,
  });
}

/**
 * The party's own address: the call's `self` (Genesys normalises it to `tel:+E164`), else the participant
 * `address`, else what the medium offers (a callback's number, a message's sender).
 */
function ownAddress(participant: NestedParticipant, media: MediaKind, communication: Communication): string | undefined {
  if (media === 'calls') {
    return communication.self?.addressNormalized ?? communication.self?.addressRaw ?? participant.address ?? participant.ani;
  }
  if (media === 'callbacks') return communication.callbackNumbers[0] ?? participant.address ?? participant.ani;
  return participant.address ?? communication.fromAddress?.addressNormalized;
}

function flattenedLeg(participant: FlattenedParticipant, media: MediaKind): Leg {
  const connectedAt = toEpochMs(participant.connectedTime);
  const endedAt = toEpochMs(participant.endTime);
  const address = media === 'callbacks' ? (participant.callbackNumbers[0] ?? participant.address) : participant.address;
  const bargedAt = toEpochMs(participant.bargedTime);
  const identity: LegIdentity = {
    participantId: participant.id,
    // The flattened shape has no communication id: the media type stands in for it (one leg per medium).
    communicationId: media,
    synthetic: true,
    media,
    role: roleOf(participant.purpose),
    phase: phaseOf(participant.state, connectedAt, endedAt),
    held: participant.held === true || participant.confined === true,
    messages: digitalMessages(participant.messages),
  };
  return leg(identity, {
    purpose: openEnum(participant.purpose),
    supervision: supervisionOf(participant, bargedAt),
    bargedAt,
    connectedAt,
    endedAt,
    disconnectType: participant.disconnectType,
    direction: directionOf(participant.direction),
    userId: participant.userId ?? participant.user?.id,
    name: participant.name,
    queueId: participant.queueId ?? participant.queue?.id,
    consultParticipantId: participant.consultParticipantId,
    address: normaliseAddress(address ?? participant.ani),
    otherAddress: undefined,
    externalContactId: participant.externalContact?.id,
  });
}

type LegIdentity = Pick<Leg, 'participantId' | 'communicationId' | 'synthetic' | 'media' | 'role' | 'phase' | 'held' | 'messages'>;
type LegDetails = { [K in Exclude<keyof Leg, keyof LegIdentity | 'key'>]: Leg[K] | undefined };

function leg(identity: LegIdentity, details: LegDetails): Leg {
  return { ...withDefined(details), ...identity, key: `${identity.participantId}:${identity.communicationId}` };
}

function nestedTimes(participant: NestedParticipant): Array<number | undefined> {
  const times = [toEpochMs(participant.startTime), toEpochMs(participant.connectedTime), toEpochMs(participant.endTime)];
  for (const media of NESTED_MEDIA) {
    for (const communication of participant[media]) {
      times.push(
        toEpochMs(communication.connectedTime),
        toEpochMs(communication.disconnectedTime),
        toEpochMs(communication.startHoldTime),
        toEpochMs(communication.bargedTime),
        ...communication.messages.map((m) => toEpochMs(m.messageTime)),
      );
    }
  }
  return times;
}

function directionOf(value: string | undefined): 'inbound' | 'outbound' | undefined {
  const direction = openEnum(value);
  return direction === 'inbound' || direction === 'outbound' ? direction : undefined;
}

function digitalMessages(messages: ReadonlyArray<{ messageId: string; messageTime?: string | number | undefined }>): DigitalMessage[] {
  return messages.map(({ messageId, messageTime }) => {
    // Keep the platform's own text; epoch numbers (rare) are rendered as ISO.
    const iso = typeof messageTime === 'number' ? isoOf(messageTime) : messageTime;
    return iso === undefined ? { messageId } : { messageId, messageTime: iso };
  });
}

function isoOf(epochMs: number): string | undefined {
  const date = new Date(epochMs);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
