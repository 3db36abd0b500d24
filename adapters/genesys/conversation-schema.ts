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
  disconnectType: optString,
  connectedTime: optTime,
  disconnectedTime: optTime,
  startHoldTime: optTime,
  self: AddressSchema,
  other: AddressSchema,
  fromAddress: AddressSchema,
  toAddress: AddressSchema,
  callbackNumbers: lenientArray(z.string()),
  messages: lenientArray(MessageDetailSchema),
});

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

/**
 * `v2.routing.queues.{id}.conversations`, `v2.users.{id}.conversations` and the REST
 * `GET /api/v2/conversations/{id}` body (which adds `startTime`/`endTime`).
 */
export const NestedConversationSchema = z.object({
  id: z.string().min(1),
  startTime: optTime,
  endTime: optTime,
  participants: lenientArray(NestedParticipantSchema),
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
  disconnectType: optString,
  consultParticipantId: optString,
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
});

export type Communication = z.output<typeof CommunicationSchema>;
export type NestedParticipant = z.output<typeof NestedParticipantSchema>;
export type NestedConversation = z.output<typeof NestedConversationSchema>;
export type FlattenedParticipant = z.output<typeof FlattenedParticipantSchema>;
export type FlattenedConversation = z.output<typeof FlattenedConversationSchema>;
