// The bodies must be the seed's payload examples, field for field: these JSON strings are copied from
// /work/shared/seeds/kore-agentai-hooks-api.txt and kore-agentai-end-of-conversation-api.txt.
import { describe, expect, it } from 'vitest';
import type { AgentInfo } from '../../src/core/facts.js';
import type { Intent } from '../../src/core/intents.js';
import { buildHookBody, DEFAULT_WIRE_OPTIONS, describeIntent, type EventsHookBody, type WireOptions } from '../../src/agentai/index.js';
import { eventCode } from '../../src/agentai/bodies.js';

const seedCustomFields = { agentEmail: 'TP000037111@xxxxbank.com', queueId: '1694', queueName: 'Kore_UAT_AGT_EN' };
const seedAgent = (identity: string, name = 'Agent AI'): AgentInfo => ({
  identity,
  name,
  email: seedCustomFields.agentEmail,
  queueId: seedCustomFields.queueId,
  queueName: seedCustomFields.queueName,
});

const ctx = { conversationId: 'c-1', botId: 'st-1', source: 'genesys' };
const opts: WireOptions = { ...DEFAULT_WIRE_OPTIONS };

function transferExample(transfertype: string, transition: string, identity: string, name = 'Agent AI'): string {
  return `{
    "events": [
        {
            "name": "INTERNAL_TRANSFER_EVENT",
            "transfertype": "${transfertype}",
            "transition": "${transition}",
            "isExtAD": "true",
            "language": "en",
            "experience": "voice",
            "participant": {
                "identity": "${identity}",
                "name": "${name}",
                "type": "agent",
                "customFields": {
                    "agentEmail": "TP000037111@xxxxbank.com",
                    "queueId": "1694",
                    "queueName": "Kore_UAT_AGT_EN"
                }
            }
        }
    ]
}`;
}

const transfer = (transferType: 'NA' | 'cold' | 'warm' | 'redial', transition: 'entry' | 'exit', agent: AgentInfo): Intent => ({
  kind: 'transfer',
  transferType,
  transition,
  agent,
  experience: 'voice',
  language: 'en',
});

// Deep equality for the values, and string equality for the key order a human reading a capture would compare.
function expectSameAsSeed(actual: unknown, seedJson: string, envelope: Record<string, string> = { conversationId: ctx.conversationId, botId: ctx.botId }): void {
  const seed = JSON.parse(seedJson) as Record<string, unknown>;
  const expected = { ...envelope, ...seed };
  expect(actual).toStrictEqual(expected);
  expect(JSON.stringify((actual as EventsHookBody).events)).toBe(JSON.stringify(seed['events']));
}

describe('buildHookBody reproduces the seed payload examples', () => {
  it.each([
    ['No Transfer: first agent accepts', 'NA', 'entry', 'Agent1', 'Agent AI'],
    ['Cold Transfer: new agent joins', 'cold', 'entry', 'Agent2', 'Agent AI'],
    ['Cold Transfer: Agent-1 exits', 'cold', 'exit', 'Agent1', 'Agent AI'],
    ['Warm Transfer: Agent-2 joins', 'warm', 'entry', 'agent2', 'Agent AI2'],
    ['Warm Transfer: Agent-1 leaves', 'warm', 'exit', 'agent1', 'Agent AI'],
  ] as const)('%s', (_title, type, transition, identity, name) => {
    const body = buildHookBody(transfer(type, transition, seedAgent(identity, name)), ctx, opts);
    expectSameAsSeed(body, transferExample(type, transition, identity, name));
  });

  it('Redial: the full sample cURL body, envelope included', () => {
    // The payload-example block for redial carries "reason" instead of "isExtAD"; the cURL sample right below it
    // (and the event-structure table, where isExtAD is required) agree with each other, so that is the target.
    const curlBody = `{
    "conversationId": "303030303333393234303137363037343631xxxx",
    "botId": "st-4beef2ed-bf1d-59e3-bd7f-5467f84dxxxx",
    "events": [
        {
            "name": "INTERNAL_TRANSFER_EVENT",
            "transfertype": "redial",
            "transition": "entry",
            "isExtAD": "true",
            "language": "en",
            "experience": "voice",
            "participant": {
                "identity": "731hssad",
                "name": "Agent AI",
                "type": "agent",
                "customFields": {
                    "agentEmail": "TP000037111@xxxxbank.com",
                    "queueId": "1694",
                    "queueName": "Kore_UAT_AGT_EN"
                }
            }
        }
    ]
}`;
    const body = buildHookBody(
      transfer('redial', 'entry', seedAgent('731hssad')),
      { conversationId: '303030303333393234303137363037343631xxxx', botId: 'st-4beef2ed-bf1d-59e3-bd7f-5467f84dxxxx', source: 'genesys' },
      opts,
    );
    expect(JSON.stringify(body)).toBe(JSON.stringify(JSON.parse(curlBody)));
  });

  it('TRIGGER_SUMMARY_EVENT with the documented data', () => {
    const seed = `{"events":[{
 "name": "TRIGGER_SUMMARY_EVENT",
 "data": {
   "language": "English",
   "locale": "en",
   "type": "post"
 }
}]}`;
    expectSameAsSeed(buildHookBody({ kind: 'summary', experience: 'voice', language: 'en' }, ctx, opts), seed);
  });

  it('END_OF_CONVERSATION as the End of Conversation API sample', () => {
    const seed = `{
    "botId": "st-56fbfece-0293-55a3-9154-7e3e19xxxxxx",
    "conversationId": "atesta-mlxxxxxx",
    "events": [{
            "name": "END_OF_CONVERSATION",
            "reason": "agent_initiated",
            "language": "en",
            "experience": "voice",
            "participant": {
                "identity": "agent1",
                "name": "Agent AI",
                "type": "agent",
                "customFields": {
                    "agentEmail": "qqqqqq",
                    "queueId": "1694",
                    "queueName": "queue11"
                }
            }
    }]
}`;
    const body = buildHookBody(
      { kind: 'end', agent: { identity: 'agent1', name: 'Agent AI', email: 'qqqqqq', queueId: '1694', queueName: 'queue11' }, experience: 'voice', language: 'en' },
      { conversationId: 'atesta-mlxxxxxx', botId: 'st-56fbfece-0293-55a3-9154-7e3e19xxxxxx', source: 'genesys' },
      opts,
    );
    expectSameAsSeed(body, seed, {});
  });

  it('message body as the Request Body example (without the events placeholder)', () => {
    const seed = `{
  "conversationId": "string",
  "botId": "string",
  "query": "Price is too expensive",
  "agentId": "xxxxx",
  "experience": "chat",
  "author": {
    "type": "USER"
  },
  "source": "genesys",
  "sendUserMessage": true,
  "sendAgentMessage": false,
  "language": "en"
}`;
    const body = buildHookBody(
      { kind: 'message', author: 'USER', text: 'Price is too expensive', messageId: 'm-1', agentId: 'xxxxx', experience: 'chat', language: 'en' },
      { conversationId: 'string', botId: 'string', source: 'genesys' },
      opts,
    );
    expect(JSON.stringify(body)).toBe(JSON.stringify(JSON.parse(seed)));
  });

  it('an AGENT message flips the send flags so Agent AI does not drop it', () => {
    const body = buildHookBody(
      { kind: 'message', author: 'AGENT', text: 'Let me check', messageId: 'm-2', agentId: 'a1', experience: 'voice', language: 'en' },
      ctx,
      opts,
    );
    expect(body).toMatchObject({ author: { type: 'AGENT' }, sendUserMessage: false, sendAgentMessage: true, query: 'Let me check' });
  });
});

describe('participant details', () => {
  it('falls back to the identity for the name and omits customFields when nothing is known', () => {
    const body = buildHookBody(transfer('NA', 'entry', { identity: 'user-A' }), ctx, opts) as EventsHookBody;
    expect(body.events[0]).toStrictEqual({
      name: 'INTERNAL_TRANSFER_EVENT',
      transfertype: 'NA',
      transition: 'entry',
      isExtAD: 'true',
      language: 'en',
      experience: 'voice',
      participant: { identity: 'user-A', name: 'user-A', type: 'agent' },
    });
  });

  it('sends only the known customFields, treating empty strings as unknown', () => {
    const body = buildHookBody(
      { kind: 'end', agent: { identity: 'u', name: '', queueName: 'Sales', email: '' }, experience: 'chat', language: 'de' },
      ctx,
      { ...opts, eocReason: 'customer_hangup' },
    ) as EventsHookBody;
    expect(body.events[0]).toStrictEqual({
      name: 'END_OF_CONVERSATION',
      reason: 'customer_hangup',
      language: 'de',
      experience: 'chat',
      participant: { identity: 'u', name: 'u', type: 'agent', customFields: { queueName: 'Sales' } },
    });
  });
});

describe('wire options', () => {
  const types = ['NA', 'cold', 'warm', 'redial'] as const;
  const wire = (o: Partial<WireOptions>): unknown[] =>
    types.map((t) => (buildHookBody(transfer(t, 'entry', { identity: 'a' }), ctx, { ...opts, ...o }) as EventsHookBody).events[0]);

  it.each([
    ['examples', ['NA', 'cold', 'warm', 'redial']],
    ['upper', ['NA', 'COLD', 'WARM', 'REDIAL']],
    ['lower', ['na', 'cold', 'warm', 'redial']],
  ] as const)('transferTypeCase %s', (casing, expected) => {
    expect(wire({ transferTypeCase: casing }).map((e) => (e as { transfertype: string }).transfertype)).toEqual(expected);
  });

  it.each([
    [true, 'string', 'true'],
    [false, 'string', 'false'],
    [true, 'boolean', true],
    [false, 'boolean', false],
  ] as const)('isExtAD %s as %s', (value, form, expected) => {
    expect(wire({ isExtAD: value, isExtADForm: form })[0]).toMatchObject({ isExtAD: expected });
  });

  it('summary data comes from the options', () => {
    const body = buildHookBody({ kind: 'summary', experience: 'chat', language: 'fr' }, ctx, {
      ...opts,
      summary: { language: 'French', locale: 'fr', type: 'post' },
    }) as EventsHookBody;
    expect(body.events[0]).toStrictEqual({ name: 'TRIGGER_SUMMARY_EVENT', data: { language: 'French', locale: 'fr', type: 'post' } });
  });
});

describe('describeIntent', () => {
  it('labels each kind the way logs and the fake receiver do', () => {
    const a: AgentInfo = { identity: 'user-A' };
    expect(describeIntent(transfer('NA', 'entry', a))).toBe('NA entry user-A');
    expect(describeIntent(transfer('cold', 'exit', a))).toBe('cold exit user-A');
    expect(describeIntent({ kind: 'message', author: 'USER', text: 't', messageId: 'm', agentId: 'user-A', experience: 'chat', language: 'en' })).toBe(
      'message USER',
    );
    expect(describeIntent({ kind: 'summary', experience: 'chat', language: 'en' })).toBe('TRIGGER_SUMMARY_EVENT');
    expect(describeIntent({ kind: 'end', agent: a, experience: 'chat', language: 'en' })).toBe('END_OF_CONVERSATION');
  });
});

describe('eventCode', () => {
  // The outbox row's `event`: what dead-letters lists, the delivery logs' hookEvent and operators' filters show.
  it('names each call by its transfer type and transition, message author, or Agent AI event', () => {
    const a: AgentInfo = { identity: 'user-A' };
    expect(eventCode(transfer('NA', 'entry', a))).toBe('NA.entry');
    expect(eventCode(transfer('warm', 'exit', a))).toBe('warm.exit');
    expect(eventCode(transfer('redial', 'entry', a))).toBe('redial.entry');
    expect(eventCode({ kind: 'message', author: 'AGENT', text: 't', messageId: 'm', agentId: 'user-A', experience: 'chat', language: 'en' })).toBe('message.AGENT');
    expect(eventCode({ kind: 'summary', experience: 'chat', language: 'en' })).toBe('TRIGGER_SUMMARY_EVENT');
    expect(eventCode({ kind: 'end', agent: a, experience: 'chat', language: 'en' })).toBe('END_OF_CONVERSATION');
  });
});
