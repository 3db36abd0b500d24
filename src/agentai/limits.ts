// Caps on what a platform may put into a hook call. Agent AI documents no maximum for any field; what is known
// is that a hook body is JSON of at most 1 MiB (the fake receiver, written from the seeds, refuses more with 413,
// which the bridge would dead-letter). A platform string may itself be that long (a webhook of one message, a
// digital message or an utterance, a directory entry), and JSON escaping can grow a character six-fold, so
// without caps one long value becomes a call Agent AI never accepts. The caps leave every real value alone (Ada
// ids are 24 characters, Genesys ids 36) and keep the worst case of all fields together near 200 KB. Every
// adapter's bodies are capped where they are built (capHookBody); an adapter that fills a body in at send time
// caps what it adds with the same functions.
import { createHash } from 'node:crypto';
import type { HookBody, WireParticipant } from './bodies.js';

export const LIMITS = {
  /** Ids (conversation, message, agent, queue, delivery ids). */
  id: 128,
  /** A display name (an agent's name, a queue's name) or an e-mail address. */
  name: 256,
  /** A DNS name is at most 253. */
  domain: 253,
  /** Message text (the hook call's query). */
  text: 32_000,
  /** A language code (a BCP 47 primary subtag is at most 8). */
  language: 8,
} as const;

/** Appended to cut text, so whoever reads it in Agent AI sees it is not the whole message. */
export const TEXT_MARKER = ' …[truncated]';
/** Appended to a cut name. */
export const NAME_MARKER = '…';
/** A cut id ends in this and a hash of the whole id: two long ids stay distinct, a retry cuts the same way. */
export const ID_MARKER = '~trunc~';

/** The fields of a hook body that capHookBody may cut (the label of bridge_input_truncated_total's `field`). */
export type HookBodyField = 'text' | 'agentId' | 'agentName' | 'agentEmail' | 'queueId' | 'queueName';

export interface Capped<T> {
  readonly value: T;
  readonly truncated: readonly HookBodyField[];
}

export function capId(id: string): string {
  if (id.length <= LIMITS.id) return id;
  const hash = createHash('sha256').update(id).digest('hex').slice(0, 16);
  return `${head(id, LIMITS.id - ID_MARKER.length - hash.length)}${ID_MARKER}${hash}`;
}

/** `value` cut to `max` UTF-16 units, `marker` included; unchanged when it fits (so capping twice is capping once). */
export function capText(value: string, max: number, marker: string): string {
  return value.length <= max ? value : `${head(value, max - marker.length)}${marker}`;
}

export const capMessageText = (value: string): string => capText(value, LIMITS.text, TEXT_MARKER);
export const capName = (value: string): string => capText(value, LIMITS.name, NAME_MARKER);

/** Caps field by field and keeps the names of the fields it cut, in order (for bridge_input_truncated_total). */
export class FieldCaps<F extends string> {
  readonly truncated: F[] = [];

  /** `fn` applied to `value`; `field` noted when that changed it. A property, so it can be taken off the object. */
  readonly cap = (field: F, value: string, fn: (value: string) => string): string => {
    const capped = fn(value);
    if (capped !== value) this.truncated.push(field);
    return capped;
  };
}

/**
 * The body with every platform string capped, and which fields were cut. conversationId is left alone: the
 * bridge and the summary poll find a conversation in Agent AI by it, so an adapter caps it where it enters
 * (as Ada does), never only on the wire.
 */
export function capHookBody(body: HookBody): Capped<HookBody> {
  const { cap, truncated } = new FieldCaps<HookBodyField>();
  const participant = (p: WireParticipant): WireParticipant => {
    const f = p.customFields;
    const customFields = f && {
      ...f,
      ...(f.agentEmail !== undefined ? { agentEmail: cap('agentEmail', f.agentEmail, capName) } : {}),
      ...(f.queueId !== undefined ? { queueId: cap('queueId', f.queueId, capId) } : {}),
      ...(f.queueName !== undefined ? { queueName: cap('queueName', f.queueName, capName) } : {}),
    };
    return { ...p, identity: cap('agentId', p.identity, capId), name: cap('agentName', p.name, capName), ...(customFields ? { customFields } : {}) };
  };
  let value: HookBody;
  if ('events' in body) {
    const [event] = body.events;
    value = event.name === 'TRIGGER_SUMMARY_EVENT' ? body : { ...body, events: [{ ...event, participant: participant(event.participant) }] };
  } else {
    value = { ...body, query: cap('text', body.query, capMessageText), agentId: cap('agentId', body.agentId, capId) };
  }
  return truncated.length ? { value, truncated } : { value: body, truncated };
}

/** The first `length` UTF-16 units, one fewer if that would split a surrogate pair. */
function head(value: string, length: number): string {
  const code = value.charCodeAt(length - 1);
  return value.slice(0, code >= 0xd800 && code <= 0xdbff ? length - 1 : length);
}
