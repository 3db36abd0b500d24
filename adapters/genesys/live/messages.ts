// Digital messages (facts §2.7): notifications list message ids only. A message is stored at once as a fact
// with no text and a `textRef` naming it; its text is fetched with the bulk endpoint when the hook call is sent
// (outbox-completer.ts), so a slow or failing fetch never holds a frame's facts in memory. v262 has
// `normalizedMessage.text`; older payloads `textBody`. inbound = the customer (USER), outbound = the agent.
import type { MessageFact } from '../../../src/core/facts.js';
import type { DigitalMessageRef } from '../frame-processor.js';
import { toEpochMs } from '../lenient.js';
import type { GenesysApi } from './api.js';
import { rec } from './records.js';

export const messageDedupeKey = (conversationId: string, messageId: string): string => `genesys:${conversationId}:message:${messageId}`;

/** The platform conversation and message a stored message's text is fetched from (Genesys ids hold no ':'). */
export function textRef(conversationId: string, messageId: string): string {
  return `${conversationId}:${messageId}`;
}

export function parseTextRef(ref: string): { conversationId: string; messageId: string } | undefined {
  const at = ref.indexOf(':');
  if (at <= 0 || at === ref.length - 1) return undefined;
  return { conversationId: ref.slice(0, at), messageId: ref.slice(at + 1) };
}

export interface MessageContext {
  readonly queueId?: string;
}

/** The refs as message facts, text to be filled in at send time. */
export function messageFacts(refs: readonly DigitalMessageRef[], context: MessageContext, now: () => number): MessageFact[] {
  return refs.map((ref) => ({
    type: 'message',
    conversationId: ref.conversationId,
    dedupeKey: messageDedupeKey(ref.conversationId, ref.messageId),
    at: toEpochMs(ref.messageTime) ?? now(),
    source: 'genesys',
    experience: 'chat',
    ...(context.queueId ? { queueId: context.queueId } : {}),
    author: ref.direction === 'inbound' ? 'USER' : 'AGENT',
    text: '',
    textRef: textRef(ref.conversationId, ref.messageId),
    messageId: ref.messageId,
    ...(ref.direction === 'outbound' && ref.userId ? { agentIdentity: ref.userId } : {}),
  }));
}

export type FetchedMessage =
  | { readonly kind: 'text'; readonly text: string; readonly direction?: 'inbound' | 'outbound' }
  /** Genesys has the message and it carries no text: typing, a receipt, media only. */
  | { readonly kind: 'no-text' }
  /** Not (yet) returned by the bulk endpoint. */
  | { readonly kind: 'missing' };

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** One message's text; rejects when Genesys cannot be asked (network, 5xx, timeout). */
export async function fetchMessage(api: GenesysApi, conversationId: string, messageId: string, timeoutMs: number): Promise<FetchedMessage> {
  const entities = await within(api.getMessages(conversationId, [messageId]), timeoutMs, `message text fetch timed out after ${timeoutMs} ms`);
  const data = entities.map(rec).find((e) => e.id === messageId);
  if (!data) return { kind: 'missing' };
  const body = text(rec(data.normalizedMessage).text) ?? text(data.textBody);
  if (!body) return { kind: 'no-text' };
  const direction = data.direction === 'inbound' || data.direction === 'outbound' ? data.direction : undefined;
  return { kind: 'text', text: body, ...(direction ? { direction } : {}) };
}

function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
