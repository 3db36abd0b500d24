// Caps on what an Ada webhook may put into a hook call. Agent AI documents no maximum for any field; what is
// known is that a hook body is JSON of at most 1 MiB (the fake receiver, written from the seeds, refuses more with
// 413, which the bridge would dead-letter). A webhook may itself be 1 MiB of one message, and JSON escaping can
// grow a character six-fold, so without caps one long message becomes a call Agent AI never accepts. The caps
// leave every real value alone (Ada ids are 24 characters, Genesys ids 36) and keep the worst case of all fields
// together near 200 KB.
import { createHash } from 'node:crypto';
import type { AdaEvent } from './payload.js';

export const LIMITS = {
  /** conversationId, messageId, author id, svix-id. */
  id: 128,
  /** The agent's display name (participant.name). */
  name: 256,
  /** ai_agent_domain (a DNS name is at most 253). */
  domain: 253,
  /** Message text (the hook call's query). */
  text: 32_000,
  /** A language code (a BCP 47 primary subtag is at most 8): a longer one is dropped, the default applies. */
  language: 8,
} as const;

/** Appended to cut text, so whoever reads it in Agent AI sees it is not the whole message. */
export const TEXT_MARKER = ' …[truncated]';
/** A cut id ends in this and a hash of the whole id: two long ids stay distinct, a retry cuts the same way. */
export const ID_MARKER = '~trunc~';

export type CappedField = 'conversationId' | 'messageId' | 'authorId' | 'authorName' | 'domain' | 'text' | 'language' | 'svixId';

export interface Capped<T> {
  readonly value: T;
  readonly truncated: readonly CappedField[];
}

export function capId(id: string): string {
  if (id.length <= LIMITS.id) return id;
  const hash = createHash('sha256').update(id).digest('hex').slice(0, 16);
  return `${head(id, LIMITS.id - ID_MARKER.length - hash.length)}${ID_MARKER}${hash}`;
}

export function capEvent(event: AdaEvent): Capped<AdaEvent> {
  const truncated: CappedField[] = [];
  const id = (field: CappedField, value: string): string => {
    const capped = capId(value);
    if (capped !== value) truncated.push(field);
    return capped;
  };
  const text = (field: CappedField, value: string, max: number, marker: string): string => {
    if (value.length <= max) return value;
    truncated.push(field);
    return `${head(value, max - marker.length)}${marker}`;
  };

  const { domain, ...rest } = event;
  const base = {
    conversationId: id('conversationId', event.conversationId),
    ...(domain !== undefined ? { domain: text('domain', domain, LIMITS.domain, '') } : {}),
  };
  let value: AdaEvent;
  switch (rest.type) {
    case 'created':
    case 'ended': {
      const { language, ...other } = rest;
      const keep = language !== undefined && language.length <= LIMITS.language;
      if (language !== undefined && !keep) truncated.push('language');
      value = { ...other, ...base, ...(keep ? { language } : {}) };
      break;
    }
    case 'handoff.ended':
      value = { ...rest, ...base };
      break;
    case 'message': {
      const { messageId, authorId, authorName, text: body, ...other } = rest;
      value = {
        ...other,
        ...base,
        ...(messageId !== undefined ? { messageId: id('messageId', messageId) } : {}),
        ...(authorId !== undefined ? { authorId: id('authorId', authorId) } : {}),
        ...(authorName !== undefined ? { authorName: text('authorName', authorName, LIMITS.name, '…') } : {}),
        ...(body !== undefined ? { text: text('text', body, LIMITS.text, TEXT_MARKER) } : {}),
      };
      break;
    }
  }
  return { value, truncated };
}

/** The first `length` UTF-16 units, one fewer if that would split a surrogate pair. */
function head(value: string, length: number): string {
  const code = value.charCodeAt(length - 1);
  return value.slice(0, code >= 0xd800 && code <= 0xdbff ? length - 1 : length);
}
