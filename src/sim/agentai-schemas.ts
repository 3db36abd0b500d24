// What the fake Agent AI accepts, written from the seed docs (kore-agentai-hooks-api.txt and
// kore-agentai-end-of-conversation-api.txt) rather than from src/agentai, so that the fake checks the client
// instead of agreeing with it. Where the docs disagree with themselves the schema accepts every documented
// form: transfertype in any case, isExtAD as "true"/"false" or a boolean.
import { z } from 'zod';

const nonEmpty = z.string().min(1);
const experience = z.enum(['chat', 'voice']);

const participant = z.object({
  identity: nonEmpty,
  name: nonEmpty,
  type: z.literal('agent'),
  customFields: z
    .object({ agentEmail: z.string().optional(), queueId: z.string().optional(), queueName: z.string().optional() })
    .optional(),
});

const transferEvent = z.object({
  name: z.literal('INTERNAL_TRANSFER_EVENT'),
  transfertype: z
    .string()
    .transform((v) => v.toLowerCase())
    .pipe(z.enum(['na', 'cold', 'warm', 'redial'])),
  transition: z.enum(['entry', 'exit']),
  isExtAD: z.union([z.boolean(), z.enum(['true', 'false'])]),
  // The event-structure table marks language optional for transfers (and the sample request omits it).
  language: z.string().optional(),
  experience,
  participant,
});

const summaryEvent = z.object({
  name: z.literal('TRIGGER_SUMMARY_EVENT'),
  data: z.object({ language: nonEmpty, locale: nonEmpty, type: nonEmpty }),
});

const endEvent = z.object({
  name: z.literal('END_OF_CONVERSATION'),
  reason: nonEmpty,
  language: nonEmpty,
  experience,
  participant,
});

const eventsBody = z.object({
  conversationId: nonEmpty,
  botId: nonEmpty,
  events: z.array(z.discriminatedUnion('name', [transferEvent, summaryEvent, endEvent])).min(1),
});

const messageBody = z.object({
  conversationId: nonEmpty,
  botId: nonEmpty,
  query: nonEmpty,
  agentId: nonEmpty,
  experience,
  author: z.object({ type: z.enum(['USER', 'AGENT']) }),
  source: nonEmpty,
  sendUserMessage: z.boolean(),
  sendAgentMessage: z.boolean(),
  language: nonEmpty,
});

/** One thing Agent AI was told, reduced to what the ordering rules need. */
export type HookItem =
  | { readonly kind: 'transfer'; readonly type: 'na' | 'cold' | 'warm' | 'redial'; readonly transition: 'entry' | 'exit'; readonly identity: string }
  | { readonly kind: 'summary' }
  | { readonly kind: 'end' }
  | { readonly kind: 'message'; readonly author: 'USER' | 'AGENT'; readonly sendUserMessage: boolean; readonly sendAgentMessage: boolean };

export type ParsedHook =
  | { readonly ok: true; readonly conversationId: string; readonly botId: string; readonly items: readonly HookItem[] }
  | { readonly ok: false; readonly error: string };

export function parseHookBody(body: unknown): ParsedHook {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, error: 'body is not a JSON object' };
  // The seed's generic example shows both shapes in one object; a body with `events` is an event post.
  if ('events' in body) {
    const r = eventsBody.safeParse(body);
    if (!r.success) return { ok: false, error: describeIssues(r.error) };
    const items = r.data.events.map((e): HookItem => {
      switch (e.name) {
        case 'INTERNAL_TRANSFER_EVENT':
          return { kind: 'transfer', type: e.transfertype, transition: e.transition, identity: e.participant.identity };
        case 'TRIGGER_SUMMARY_EVENT':
          return { kind: 'summary' };
        case 'END_OF_CONVERSATION':
          return { kind: 'end' };
      }
    });
    return { ok: true, conversationId: r.data.conversationId, botId: r.data.botId, items };
  }
  const m = messageBody.safeParse(body);
  if (!m.success) return { ok: false, error: describeIssues(m.error) };
  const d = m.data;
  return {
    ok: true,
    conversationId: d.conversationId,
    botId: d.botId,
    items: [{ kind: 'message', author: d.author.type, sendUserMessage: d.sendUserMessage, sendAgentMessage: d.sendAgentMessage }],
  };
}

/** Same vocabulary as describeIntent in src/agentai: "NA entry a1", "cold exit a1", "message USER", event names. */
export function labelItem(item: HookItem): string {
  switch (item.kind) {
    case 'transfer':
      return `${item.type === 'na' ? 'NA' : item.type} ${item.transition} ${item.identity}`;
    case 'summary':
      return 'TRIGGER_SUMMARY_EVENT';
    case 'end':
      return 'END_OF_CONVERSATION';
    case 'message':
      return `message ${item.author}`;
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(body)'}: ${i.message}`).join('; ');
}
