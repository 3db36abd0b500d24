// What one websocket frame (or one REST conversation body) means to the rest of the Genesys adapter.
import type { Fact } from '../../src/core/facts.js';

export type ControlEvent =
  | { readonly kind: 'heartbeat' }
  | { readonly kind: 'pong' }
  | { readonly kind: 'socket_closing'; readonly channelId?: string; readonly message?: string }
  | {
      readonly kind: 'subscribe_result';
      readonly ok: boolean;
      readonly result: string;
      readonly status?: string;
      readonly message?: string;
      readonly correlationId?: string;
    }
  /** `{"result":"404"}`: the channel expired, was replaced, or its token expired. Create a new one. */
  | { readonly kind: 'channel_gone'; readonly message?: string };

/** A digital message seen on a messaging leg. Notifications carry no text: the live adapter fetches it. */
export interface DigitalMessageRef {
  readonly conversationId: string;
  readonly messageId: string;
  /** From the leg's role (customer → inbound, agent or bot → outbound); the fetched message is authoritative. */
  readonly direction: 'inbound' | 'outbound';
  readonly messageTime?: string;
  readonly participantId: string;
  readonly userId?: string;
}

export interface FrameResult {
  /** In the order they happened (by `at`; ties: agent.left, agent.joined, message, customer.left, conversation.ended). */
  readonly facts: Fact[];
  readonly control: ControlEvent[];
  readonly digitalMessages: DigitalMessageRef[];
  readonly conversationId?: string;
  /** True when the conversation is over as of this frame (the first time and on any later frame). */
  readonly conversationEnded?: boolean;
  /** The snapshot has a voice call leg: its transcription topic is worth subscribing. */
  readonly voice?: boolean;
  readonly warnings: string[];
  /** Latest platform timestamp found in the frame (epoch ms): drives the replay clock. */
  readonly frameTime?: number;
}

export function emptyResult(): FrameResult {
  return { facts: [], control: [], digitalMessages: [], warnings: [] };
}
