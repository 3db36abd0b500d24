import { describe, expect, it } from 'vitest';
import { parseAdaWebhook, type AdaEvent } from '../payload.js';
import { atOf, created, ended, handoffEnded, iso, message } from './harness.js';

function event(json: unknown): AdaEvent {
  const parsed = parseAdaWebhook(json);
  if (parsed.kind !== 'event') throw new Error(`expected an event, got ${JSON.stringify(parsed)}`);
  return parsed.event;
}

describe('parseAdaWebhook', () => {
  it('reads the documented message shape', () => {
    expect(event(message('c1', 1000, { role: 'human_agent', text: 'hi', authorId: 'a1', name: 'Sam', messageId: 'm1' }))).toEqual({
      type: 'message',
      conversationId: 'c1',
      domain: 'acme.ada.support',
      at: atOf(1000),
      messageId: 'm1',
      role: 'human_agent',
      authorId: 'a1',
      authorName: 'Sam',
      text: 'hi',
      handoffIntegration: 'zendesk_chat',
    });
  });

  it('takes the language from metadata.locale', () => {
    expect(event(created('c1', 0, 'en-CA'))).toMatchObject({ type: 'created', language: 'en' });
    expect(event(created('c1', 0, 'fr_CA'))).toMatchObject({ language: 'fr' });
    expect(event(ended('c1', 0))).toMatchObject({ type: 'ended', language: 'en' });
    expect(event(created('c1', 0, ' de-AT '))).toMatchObject({ language: 'de' });
    expect(event(created('c1', 0, '-CA'))).not.toHaveProperty('language');
  });

  it('accepts handoff_integration as string, null, {} or empty string', () => {
    expect(event(handoffEnded('c1', 0))).toMatchObject({ handoffIntegration: 'zendesk_chat' });
    for (const handoff of [null, {}, '', '  ']) {
      expect(event(message('c1', 0, { role: 'end_user', handoff }))).toMatchObject({ handoffIntegration: null });
    }
  });

  it('reads author.id as a string, null, {id}, {_id} or an unknown object', () => {
    const authorOf = (authorId: unknown): AdaEvent => event(message('c1', 0, { role: 'human_agent', authorId }));
    expect(authorOf('a1')).toMatchObject({ authorId: 'a1' });
    expect(authorOf(null)).not.toHaveProperty('authorId');
    expect(authorOf({ id: 'a2' })).toMatchObject({ authorId: 'a2' });
    expect(authorOf({ _id: 'a3' })).toMatchObject({ authorId: 'a3' });
    expect(authorOf({ oid: 7 })).toMatchObject({ authorId: '{"oid":7}' });
    expect(authorOf(42)).toMatchObject({ authorId: '42' });
    expect(authorOf('')).not.toHaveProperty('authorId');
    // An empty id is no id: the next one is taken.
    expect(authorOf({ id: '', _id: 'a4' })).toMatchObject({ authorId: 'a4' });
  });

  it('falls back from message_id to data.id', () => {
    const m = message('c1', 0, { role: 'end_user' });
    const { message_id: _dropped, ...data } = m.data;
    expect(event({ ...m, data: { ...data, id: 'legacy' } })).toMatchObject({ messageId: 'legacy' });
    expect(event({ ...m, data: { ...data, id: 77 } })).toMatchObject({ messageId: '77' });
    expect(event({ ...m, data: { ...data, message_id: null } })).not.toHaveProperty('messageId');
    expect(event({ ...m, data: { ...data, id: null } })).not.toHaveProperty('messageId');
  });

  it('gives text for text and link content only', () => {
    const textOf = (content: unknown): AdaEvent => event(message('c1', 0, { role: 'end_user', content }));
    expect(textOf({ type: 'link', url: 'https://x.test/a', link_text: 'Track order' })).toMatchObject({
      text: 'https://x.test/a (Track order)',
    });
    expect(textOf({ type: 'link', url: 'https://x.test/a', link_text: null })).toMatchObject({ text: 'https://x.test/a' });
    expect(textOf({ type: 'file', url: 'https://s3.test/f', mime_type: 'image/png', filename: 'f.png' })).not.toHaveProperty('text');
    expect(textOf({ type: 'presence' })).not.toHaveProperty('text');
    expect(textOf({ type: 'text', body: '   ' })).not.toHaveProperty('text');
    expect(textOf({ type: 'text', body: null })).not.toHaveProperty('text');
    // A label that says nothing more than the address is not repeated.
    expect(textOf({ type: 'link', url: 'https://x.test/a', link_text: '  ' })).toMatchObject({ text: 'https://x.test/a' });
    expect(textOf({ type: 'link', url: 'https://x.test/a', link_text: 'https://x.test/a' })).toMatchObject({ text: 'https://x.test/a' });
  });

  it('orders by payload timestamp, else created_at', () => {
    const m = message('c1', 5000, { role: 'end_user' });
    expect(event({ ...m, timestamp: 'not a date' })).toMatchObject({ at: atOf(5000) });
    expect(event({ ...m, timestamp: iso(9000) })).toMatchObject({ at: atOf(9000) });
    const { created_at: _dropped, ...data } = m.data;
    expect(event({ type: m.type, data })).not.toHaveProperty('at');
  });

  it('reports unknown types and invalid bodies', () => {
    expect(parseAdaWebhook({ type: 'v1.end_user.created', data: {} })).toEqual({
      kind: 'unknown-type',
      type: 'v1.end_user.created',
    });
    expect(parseAdaWebhook({ type: 'v1.end_user.updated' })).toMatchObject({ kind: 'unknown-type' });
    expect(parseAdaWebhook([1, 2])).toMatchObject({ kind: 'invalid' });
    expect(parseAdaWebhook({ type: 'v1.conversation.message', data: 'x' })).toMatchObject({
      kind: 'invalid',
      reason: expect.stringContaining('envelope'),
    });
    expect(parseAdaWebhook({ type: 'v1.conversation.ended', data: {} })).toMatchObject({
      kind: 'invalid',
      reason: expect.stringContaining('conversation_id'),
    });
    const m = message('c1', 0, { role: 'end_user' });
    // The reason says which part is wrong: it is what the log line and the 400 answer carry.
    expect(parseAdaWebhook({ ...m, data: { ...m.data, author: { id: 'x' } } })).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/^data: .*role/s) });
    expect(parseAdaWebhook({ type: 7 })).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/^envelope: .*type/s) });
  });
});
