// Ada's caps where the webhook enters: what is cut is named, what fits is left exactly as it came, and what
// the webhook did not carry is not made up.
import { describe, expect, it } from 'vitest';
import { capEvent, capId, LIMITS, TEXT_MARKER } from '../limits.js';

describe('capEvent', () => {
  it('keeps a language code of up to 8 characters and drops (and names) a longer one', () => {
    expect(capEvent({ type: 'created', conversationId: 'c1', language: 'abcdefgh' })).toEqual({ value: { type: 'created', conversationId: 'c1', language: 'abcdefgh' }, truncated: [] });
    expect(capEvent({ type: 'ended', conversationId: 'c1', language: 'abcdefghi' })).toEqual({ value: { type: 'ended', conversationId: 'c1' }, truncated: ['language'] });
  });

  it('adds no field the event did not have', () => {
    expect(capEvent({ type: 'created', conversationId: 'c1' })).toEqual({ value: { type: 'created', conversationId: 'c1' }, truncated: [] });
    const message = { type: 'message', conversationId: 'c1', role: 'end_user', handoffIntegration: null } as const;
    expect(capEvent(message)).toEqual({ value: message, truncated: [] });
  });

  it('cuts each field of a message to its cap and names each one it cut', () => {
    const long = { type: 'message', conversationId: 'c'.repeat(200), messageId: 'm'.repeat(200), authorId: 'a'.repeat(200), authorName: 'N'.repeat(300), text: 't'.repeat(LIMITS.text + 1), role: 'human_agent', handoffIntegration: 'zendesk_chat', domain: `${'d'.repeat(300)}.ada.support` } as const;
    const { value, truncated } = capEvent(long);
    expect([...truncated].sort()).toEqual(['authorId', 'authorName', 'conversationId', 'domain', 'messageId', 'text']);
    expect(value).toMatchObject({ conversationId: capId(long.conversationId), messageId: capId(long.messageId), authorId: capId(long.authorId), role: 'human_agent' });
    expect(value.type === 'message' && value.text?.endsWith(TEXT_MARKER)).toBe(true);
    // A host name is cut without a marker: it is an address, not text for a person.
    expect(value.domain).toBe(long.domain.slice(0, LIMITS.domain));
  });
});
