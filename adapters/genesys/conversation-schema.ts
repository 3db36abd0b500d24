// Schemas for the two conversation payload shapes (facts §2.2). Only the fields the diff reads are declared;
// everything else is ignored. Enums stay open strings: the SDK maps unknown values to "OutdatedSdkVersion",
// we keep the raw text and decide later.
import { z } from 'zod';
import { lenientArray, optBool, optRef, optString, optTime } from './lenient.js';

const AddressSchema = z
  .object({ addressNormalized: optString, addressRaw: optString, addressDisplayable: optString })
  .optional()
  .catch(undefined);

const MessageDetailSchema = z.object({ messageId: z.string().min(1), messageTime: optTime });

/** One media leg in the nested shape (`calls[]`, `callbacks[]`, `chats[]`, `messages[]`, `emails[]`). */
const CommunicationSchema = z.object({
  id: optString,
  state: optString,
  direction: optString,
  held: optBool,
  // "held and the person on this side hears hold music" (SDK model doc); `held` is the silent kind.
  confined: optBool,
  disconnectType: optString,
  connectedTime: optTime,
  disconnectedTime: optTime,
  startHoldTime: optTime,
  bargedTime: optTime,
  self: AddressSchema,
  other: AddressSchema,
  fromAddress: AddressSchema,
  toAddress: AddressSchema,
  callbackNumbers: lenientArray(z.string()),
  messages: lenientArray(MessageDetailSchema),
});

/** Set on a supervisor's participant: whom they listen to, coach, or barged in on (SDK v262 models). */
const SupervisionFields = {
  monitoredParticipantId: optString,
  coachedParticipantId: optString,
  bargedParticipantId: optString,
};

const NestedParticipantSchema = z.object({
  id: z.string().min(1),
  purpose: optString,
  userId: optString,
  name: optString,
  queueId: optString,
  address: optString,
  ani: optString,
  externalContactId: optString,
  consultParticipantId: optString,
  ...SupervisionFields,
  screenMonitoredParticipantId: optString,
  startTime: optTime,
  connectedTime: optTime,
  endTime: optTime,
  // Some REST bodies carry references rather than ids; accept both spellings.
  user: optRef,
  queue: optRef,
  calls: lenientArray(CommunicationSchema),
  callbacks: lenientArray(CommunicationSchema),
  chats: lenientArray(CommunicationSchema),
  messages: lenientArray(CommunicationSchema),
  emails: lenientArray(CommunicationSchema),
});

/** Digital consults live in a conversation of their own, linked both ways (facts §2.4). */
const ConsultationLinks = {
  associatedConversation: optRef,
  consultationConversations: lenientArray(z.object({ id: z.string().min(1) })),
};

/**
 * `v2.routing.queues.{id}.conversations`, `v2.users.{id}.conversations` and the REST
 * `GET /api/v2/conversations/{id}` body (which adds `startTime`/`endTime`).
 */
export const NestedConversationSchema = z.object({
  id: z.string().min(1),
  startTime: optTime,
  endTime: optTime,
  participants: lenientArray(NestedParticipantSchema),
  ...ConsultationLinks,
});

/** One participant of a per-media topic: the media leg's fields sit on the participant itself. */
const FlattenedParticipantSchema = z.object({
  id: z.string().min(1),
  purpose: optString,
  name: optString,
  address: optString,
  ani: optString,
  state: optString,
  direction: optString,
  held: optBool,
  confined: optBool,
  disconnectType: optString,
  consultParticipantId: optString,
  ...SupervisionFields,
  bargedTime: optTime,
  startTime: optTime,
  connectedTime: optTime,
  endTime: optTime,
  startHoldTime: optTime,
  user: optRef,
  queue: optRef,
  externalContact: optRef,
  userId: optString,
  queueId: optString,
  callbackNumbers: lenientArray(z.string()),
  messages: lenientArray(MessageDetailSchema),
});

export const FlattenedConversationSchema = z.object({
  id: z.string().min(1),
  startTime: optTime,
  endTime: optTime,
  participants: lenientArray(FlattenedParticipantSchema),
  ...ConsultationLinks,
});

export type Communication = z.output<typeof CommunicationSchema>;
export type NestedParticipant = z.output<typeof NestedParticipantSchema>;
export type NestedConversation = z.output<typeof NestedConversationSchema>;
export type FlattenedParticipant = z.output<typeof FlattenedParticipantSchema>;
export type FlattenedConversation = z.output<typeof FlattenedConversationSchema>;
