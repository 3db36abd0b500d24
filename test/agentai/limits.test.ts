// Core's caps on hook bodies (issue 14 item 4): every adapter's calls are cut the same way, a value an adapter
// already cut where it entered is not cut (or counted) again, and two long ids stay two ids.
import { describe, expect, it } from 'vitest';
import { buildHookBody, DEFAULT_WIRE_OPTIONS, type EventsHookBody, type MessageHookBody } from '../../src/agentai/bodies.js';
import { capHookBody, capId, capMessageText, ID_MARKER, LIMITS, NAME_MARKER, TEXT_MARKER } from '../../src/agentai/limits.js';
import type { Intent } from '../../src/core/intents.js';

const ctx = { conversationId: 'c1', botId: 'st-bot', source: 'genesys' };
const body = (intent: Intent) => buildHookBody(intent, ctx, DEFAULT_WIRE_OPTIONS);

describe('capHookBody', () => {
  it('cuts a long message text with the marker and names the field; a second pass changes and counts nothing', () => {
    const long = body({ kind: 'message', author: 'USER', text: 'x'.repeat(LIMITS.text * 2), messageId: 'm1', agentId: 'a1', experience: 'chat', language: 'en' });
    const once = capHookBody(long);
    expect(once.truncated).toEqual(['text']);
    const query = (once.value as MessageHookBody).query;
    expect(query).toHaveLength(LIMITS.text);
    expect(query.endsWith(TEXT_MARKER)).toBe(true);
    expect(capHookBody(once.value)).toEqual({ value: once.value, truncated: [] });
  });

  it("cuts an agent's name, e-mail, queue name and ids in transfer and end events; leaves fitting values as they are", () => {
    const agent = { identity: 'u'.repeat(200), name: 'N'.repeat(300), email: 'e'.repeat(300), queueId: 'q'.repeat(200), queueName: 'Q'.repeat(300) };
    const capped = capHookBody(body({ kind: 'transfer', transferType: 'NA', transition: 'entry', agent, experience: 'voice', language: 'en' }));
    expect(capped.truncated).toEqual(['agentEmail', 'queueId', 'queueName', 'agentId', 'agentName']);
    const p = (capped.value as EventsHookBody).events[0];
    expect(p.name === 'INTERNAL_TRANSFER_EVENT' && p.participant).toEqual({
      identity: capId(agent.identity),
      name: `${'N'.repeat(LIMITS.name - 1)}${NAME_MARKER}`,
      type: 'agent',
      customFields: { agentEmail: `${'e'.repeat(LIMITS.name - 1)}${NAME_MARKER}`, queueId: capId(agent.queueId), queueName: `${'Q'.repeat(LIMITS.name - 1)}${NAME_MARKER}` },
    });
    const fits = body({ kind: 'end', agent: { identity: 'u1', name: 'Ann', email: 'ann@example.com' }, experience: 'voice', language: 'en' });
    expect(capHookBody(fits)).toEqual({ value: fits, truncated: [] });
    const summary = body({ kind: 'summary', experience: 'voice', language: 'en' });
    expect(capHookBody(summary)).toEqual({ value: summary, truncated: [] });
  });

  it('two long ids with the same start stay distinct, and one id is always cut the same way', () => {
    const a = capId(`${'c'.repeat(200)}-a`);
    const b = capId(`${'c'.repeat(200)}-b`);
    expect(a).toHaveLength(LIMITS.id);
    expect(a).toContain(ID_MARKER);
    expect(a).not.toBe(b);
    expect(capId(`${'c'.repeat(200)}-a`)).toBe(a);
  });

  it('leaves a value exactly at its cap alone and cuts one a unit longer; a cut id ends in the marker and 16 hex digits of its hash', () => {
    expect(capMessageText('x'.repeat(LIMITS.text))).toBe('x'.repeat(LIMITS.text));
    expect(capId('i'.repeat(LIMITS.id))).toBe('i'.repeat(LIMITS.id));
    const cut = capId('i'.repeat(LIMITS.id + 1));
    expect(cut).toHaveLength(LIMITS.id);
    expect(cut).toMatch(/^i+~trunc~[0-9a-f]{16}$/);
    // What a person reading the message in Agent AI sees at its end.
    expect(capMessageText('x'.repeat(LIMITS.text + 1)).endsWith('x …[truncated]')).toBe(true);
  });

  it('never splits a character that takes two UTF-16 units (an emoji, a rare CJK character) where it cuts', () => {
    const keep = LIMITS.text - TEXT_MARKER.length;
    // The first and the last character outside the 16-bit range: their first units are 0xD800 and 0xDBFF.
    for (const wide of ['\u{10000}', '\u{10FFFF}']) {
      // The pair straddles the cut: it goes whole.
      const straddling = capMessageText(`${'a'.repeat(keep - 1)}${wide}${'b'.repeat(100)}`);
      expect(straddling).toBe(`${'a'.repeat(keep - 1)}${TEXT_MARKER}`);
      // The pair ends right at the cut: it stays whole.
      const ending = capMessageText(`${'a'.repeat(keep - 2)}${wide}${'b'.repeat(100)}`);
      expect(ending).toBe(`${'a'.repeat(keep - 2)}${wide}${TEXT_MARKER}`);
    }
    const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
    expect(capMessageText('\u{1F600}'.repeat(LIMITS.text))).not.toMatch(loneSurrogate);
  });

  it('adds no field a participant did not have, and names a cut agent id of a message as agentId', () => {
    const agent = { identity: 'user-A', queueId: 'q1' };
    const transfer = capHookBody(body({ kind: 'transfer', transferType: 'cold', transition: 'entry', agent, experience: 'chat', language: 'en' }));
    const p = (transfer.value as EventsHookBody).events[0];
    expect(p.name === 'INTERNAL_TRANSFER_EVENT' && p.participant.customFields).toStrictEqual({ queueId: 'q1' });
    const message = capHookBody(body({ kind: 'message', author: 'AGENT', text: 'hi', messageId: 'm1', agentId: 'a'.repeat(LIMITS.id + 1), experience: 'chat', language: 'en' }));
    expect(message.truncated).toEqual(['agentId']);
    expect((message.value as MessageHookBody).agentId).toBe(capId('a'.repeat(LIMITS.id + 1)));
  });
});

