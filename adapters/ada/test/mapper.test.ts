import { describe, expect, it } from 'vitest';
import { emptyConversationState, mapAdaEvent, type AdaConversationState, type MapResult } from '../mapper.js';
import type { AdaMessageEvent } from '../payload.js';

const ctx = { deliveryId: 'msg_1', now: 42, forwardAiAgentMessages: false };

function humanMessage(text?: string): AdaMessageEvent {
  return {
    type: 'message',
    conversationId: 'c1',
    role: 'human_agent',
    authorId: 'a1',
    messageId: 'm1',
    handoffIntegration: 'zendesk_chat',
    ...(text ? { text } : {}),
  };
}

describe('mapAdaEvent', () => {
  it('joins an agent whose first message carries no text, without a message fact', () => {
    const result = mapAdaEvent(emptyConversationState(), humanMessage(), ctx);
    expect(result.facts.map((f) => f.type)).toEqual(['agent.joined']);
    expect(result.state.joined.has('a1')).toBe(true);
  });

  it('does not touch the state it was given', () => {
    const before = emptyConversationState();
    mapAdaEvent(before, humanMessage('hi'), ctx);
    expect(before.joined.size).toBe(0);
  });

  it('derives the same facts from the same state and delivery (retry-safe keys)', () => {
    const a = mapAdaEvent(emptyConversationState(), humanMessage('hi'), ctx);
    const b = mapAdaEvent(emptyConversationState(), humanMessage('hi'), ctx);
    expect(b.facts).toEqual(a.facts);
    expect(a.facts.map((f) => f.dedupeKey)).toEqual(['ada:msg_1:joined:a1', 'ada:msg_1']);
  });

  it('falls back to now() when the payload has no usable time', () => {
    const result = mapAdaEvent(emptyConversationState(), humanMessage('hi'), ctx);
    expect(result.facts.every((f) => f.at === 42)).toBe(true);
  });

  it('ends a conversation by closing whoever is still there, then conversation.ended', () => {
    const result: MapResult = mapAdaEvent(emptyConversationState(), { type: 'ended', conversationId: 'c1' }, ctx);
    expect(result.facts.map((f) => f.type)).toEqual(['agents.left', 'conversation.ended']);
    expect(result.ended).toBe(true);
  });

  it('closes every agent of the handoff with one fact, whether or not it remembers who joined (a restart)', () => {
    let state: AdaConversationState = emptyConversationState();
    state = mapAdaEvent(state, humanMessage('hi'), ctx).state;
    state = mapAdaEvent(state, { ...humanMessage('me too'), authorId: 'a2', messageId: 'm2' }, { ...ctx, deliveryId: 'msg_2' }).state;
    const handoffEnded = { type: 'handoff.ended', conversationId: 'c1', handoffIntegration: null } as const;
    const result = mapAdaEvent(state, handoffEnded, { ...ctx, deliveryId: 'msg_3' });
    expect(result.facts).toMatchObject([{ type: 'agents.left', reason: 'hangup', dedupeKey: 'ada:msg_3:left' }]);
    expect(result.state.joined.size).toBe(0);
    expect(mapAdaEvent(emptyConversationState(), handoffEnded, { ...ctx, deliveryId: 'msg_3' }).facts).toEqual(result.facts);
  });

  it('skips unknown author roles', () => {
    const result = mapAdaEvent(emptyConversationState(), { ...humanMessage('x'), role: 'supervisor' }, ctx);
    expect(result.facts).toEqual([]);
    expect(result.skipped).toContain('supervisor');
    expect(result.ended).toBe(false);
  });

  it('keeps the language the conversation started with, though a later event names another', () => {
    let state = mapAdaEvent(emptyConversationState(), { type: 'created', conversationId: 'c1', language: 'fr' }, ctx).state;
    state = mapAdaEvent(state, humanMessage('bonjour'), ctx).state;
    const end = mapAdaEvent(state, { type: 'ended', conversationId: 'c1', language: 'en' }, ctx);
    expect(end.facts.map((f) => f.language)).toEqual(['fr', 'fr']);
  });

  it('says why a webhook gave no fact, and only then', () => {
    expect(mapAdaEvent(emptyConversationState(), { type: 'created', conversationId: 'c1' }, ctx)).toMatchObject({ facts: [], skipped: expect.stringMatching(/created/) });
    const user = { type: 'message', conversationId: 'c1', role: 'end_user', messageId: 'm1', handoffIntegration: null } as const;
    expect(mapAdaEvent(emptyConversationState(), user, ctx)).toMatchObject({ facts: [], skipped: 'message content carries no text', ended: false });
    expect(mapAdaEvent(emptyConversationState(), { ...user, text: 'hi' }, ctx)).not.toHaveProperty('skipped');
  });

  it("forwards an ai_agent message as the AI agent's only when configured, and neither ends the conversation", () => {
    const ai = { type: 'message', conversationId: 'c1', role: 'ai_agent', messageId: 'm1', text: 'How can I help?', handoffIntegration: null } as const;
    expect(mapAdaEvent(emptyConversationState(), ai, ctx)).toMatchObject({ facts: [], ended: false, skipped: 'ai_agent message' });
    const forwarded = mapAdaEvent(emptyConversationState(), ai, { ...ctx, forwardAiAgentMessages: true });
    expect(forwarded).toMatchObject({ facts: [{ type: 'message', author: 'AGENT', text: 'How can I help?' }], ended: false });
    expect(forwarded).not.toHaveProperty('skipped');
  });

  it('names an agent by its display name when Ada gives no author id, and "human_agent" when it gives neither', () => {
    const { authorId: _none, ...anonymous } = humanMessage('hi');
    expect(mapAdaEvent(emptyConversationState(), { ...anonymous, authorName: 'Sam' }, ctx).facts[0]).toMatchObject({ type: 'agent.joined', agent: { identity: 'Sam', name: 'Sam' } });
    expect(mapAdaEvent(emptyConversationState(), anonymous, ctx).facts[0]).toMatchObject({ type: 'agent.joined', agent: { identity: 'human_agent' } });
  });
});
