// Caps on what an Ada webhook may put into a hook call, applied where the webhook enters so that the stored facts,
// their dedupe keys and every call of the conversation carry the same capped ids. The caps themselves (and why)
// are core's, shared by every adapter (src/agentai/limits.ts).
import { capId, capText, FieldCaps, ID_MARKER, LIMITS, NAME_MARKER, TEXT_MARKER } from '../../src/agentai/limits.js';
import type { AdaEvent } from './payload.js';

export { capId, ID_MARKER, LIMITS, TEXT_MARKER };

export type CappedField = 'conversationId' | 'messageId' | 'authorId' | 'authorName' | 'domain' | 'text' | 'language' | 'svixId';

export interface Capped<T> {
  readonly value: T;
  readonly truncated: readonly CappedField[];
}

export function capEvent(event: AdaEvent): Capped<AdaEvent> {
  const { cap, truncated } = new FieldCaps<CappedField>();
  const id = (field: CappedField, value: string): string => cap(field, value, capId);
  const text = (field: CappedField, value: string, max: number, marker: string): string => cap(field, value, (v) => capText(v, max, marker));

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
        ...(authorName !== undefined ? { authorName: text('authorName', authorName, LIMITS.name, NAME_MARKER) } : {}),
        ...(body !== undefined ? { text: text('text', body, LIMITS.text, TEXT_MARKER) } : {}),
      };
      break;
    }
  }
  return { value, truncated };
}
