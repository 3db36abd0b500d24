// Ada webhook bodies → a small normalised event. Parsing is lenient on purpose: Ada's docs, OpenAPI schema and
// older demos disagree (see shared/kore-ada/facts.md §2.2), and a webhook we reject is retried for a week and then
// disables the endpoint. Unknown fields are ignored; only what the mapping needs is required.
import { z } from 'zod';

export type AdaEventType = 'created' | 'message' | 'handoff.ended' | 'ended';

interface AdaEventBase {
  readonly conversationId: string;
  readonly domain?: string;
  /** Payload `timestamp` (ms precision, meant for ordering), else `created_at`; undefined when neither parses. */
  readonly at?: number;
}

export interface AdaCreatedEvent extends AdaEventBase {
  readonly type: 'created';
  readonly language?: string;
}

export interface AdaMessageEvent extends AdaEventBase {
  readonly type: 'message';
  readonly messageId?: string;
  /** Open string: Ada documents end_user | ai_agent | human_agent, new roles are skipped by the mapper. */
  readonly role: string;
  readonly authorId?: string;
  readonly authorName?: string;
  /** Undefined for content that carries no text (file, presence, unknown types). */
  readonly text?: string;
  readonly handoffIntegration: string | null;
}

export interface AdaHandoffEndedEvent extends AdaEventBase {
  readonly type: 'handoff.ended';
  readonly handoffIntegration: string | null;
}

export interface AdaEndedEvent extends AdaEventBase {
  readonly type: 'ended';
  readonly language?: string;
}

export type AdaEvent = AdaCreatedEvent | AdaMessageEvent | AdaHandoffEndedEvent | AdaEndedEvent;

export type ParseResult =
  | { readonly kind: 'event'; readonly event: AdaEvent }
  | { readonly kind: 'unknown-type'; readonly type: string }
  | { readonly kind: 'invalid'; readonly reason: string };

const EVENT_TYPES: Readonly<Record<string, AdaEventType>> = {
  'v1.conversation.created': 'created',
  'v1.conversation.message': 'message',
  'v1.conversation.handoff.ended': 'handoff.ended',
  'v1.conversation.ended': 'ended',
};

// The type is read first so that event types we do not handle are ignored whatever their data looks like.
const typeSchema = z.object({ type: z.string().min(1) });

const envelopeSchema = z.object({
  timestamp: z.unknown().optional(),
  data: z.record(z.string(), z.unknown()),
});

const commonSchema = z.object({
  conversation_id: z.string().min(1),
  ai_agent_domain: z.string().nullish(),
  created_at: z.unknown().optional(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
});

const messageSchema = z.object({
  message_id: z.union([z.string(), z.number()]).nullish(),
  // Older payloads (conversations-api-demo) call it `id`.
  id: z.union([z.string(), z.number()]).nullish(),
  handoff_integration: z.unknown().optional(),
  author: z.object({
    // string | null per the schema; an object ({id} or {_id}) in older payloads.
    id: z.unknown().optional(),
    role: z.string().min(1),
    display_name: z.string().nullish(),
  }),
  content: z
    .object({
      type: z.string(),
      body: z.string().nullish(),
      url: z.string().nullish(),
      link_text: z.string().nullish(),
    })
    .nullish(),
});

const idObjectSchema = z.object({ id: z.unknown().optional(), _id: z.unknown().optional() });

const handoffSchema = z.object({ handoff_integration: z.unknown().optional() });

export function parseAdaWebhook(json: unknown): ParseResult {
  const typed = typeSchema.safeParse(json);
  if (!typed.success) return { kind: 'invalid', reason: `envelope: ${z.prettifyError(typed.error)}` };
  const type = EVENT_TYPES[typed.data.type];
  if (!type) return { kind: 'unknown-type', type: typed.data.type };
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) return { kind: 'invalid', reason: `envelope: ${z.prettifyError(envelope.error)}` };

  const data = envelope.data.data;
  const common = commonSchema.safeParse(data);
  if (!common.success) return { kind: 'invalid', reason: `data: ${z.prettifyError(common.error)}` };
  const at = parseTime(envelope.data.timestamp) ?? parseTime(common.data.created_at);
  const base: AdaEventBase = {
    conversationId: common.data.conversation_id,
    ...(common.data.ai_agent_domain ? { domain: common.data.ai_agent_domain } : {}),
    ...(at !== undefined ? { at } : {}),
  };
  const language = languageOf(common.data.metadata);

  switch (type) {
    case 'created':
      return { kind: 'event', event: { ...base, type, ...(language ? { language } : {}) } };
    case 'ended':
      return { kind: 'event', event: { ...base, type, ...(language ? { language } : {}) } };
    case 'handoff.ended': {
      const handoff = handoffSchema.safeParse(data);
      if (!handoff.success) return { kind: 'invalid', reason: `data: ${z.prettifyError(handoff.error)}` };
      return {
        kind: 'event',
        event: { ...base, type, handoffIntegration: integrationName(handoff.data.handoff_integration) },
      };
    }
    case 'message': {
      const message = messageSchema.safeParse(data);
      if (!message.success) return { kind: 'invalid', reason: `data: ${z.prettifyError(message.error)}` };
      const m = message.data;
      const messageId = m.message_id ?? m.id;
      const authorId = authorIdOf(m.author.id);
      const text = m.content ? textOf(m.content) : undefined;
      return {
        kind: 'event',
        event: {
          ...base,
          type,
          role: m.author.role,
          handoffIntegration: integrationName(m.handoff_integration),
          ...(messageId !== null && messageId !== undefined ? { messageId: String(messageId) } : {}),
          ...(authorId ? { authorId } : {}),
          ...(m.author.display_name ? { authorName: m.author.display_name } : {}),
          ...(text ? { text } : {}),
        },
      };
    }
  }
}

function parseTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/** `en-CA`, `en_CA` → `en`: Agent AI wants a language, Ada gives a locale. */
function languageOf(metadata: Record<string, unknown> | null | undefined): string | undefined {
  const locale = metadata?.['locale'];
  if (typeof locale !== 'string') return undefined;
  const primary = locale.trim().split(/[-_]/)[0]?.toLowerCase();
  return primary ? primary : undefined;
}

/** The docs' sample sends `{}` where the schema says string|null: anything but a non-empty string means "none". */
function integrationName(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

function authorIdOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number') return String(value);
  const idObject = idObjectSchema.safeParse(value);
  if (!idObject.success) return undefined;
  for (const inner of [idObject.data.id, idObject.data._id]) {
    if (typeof inner === 'string' && inner !== '') return inner;
  }
  // An id object of unknown shape is still stable across messages of the same author.
  return JSON.stringify(value);
}

interface Content {
  readonly type: string;
  readonly body?: string | null | undefined;
  readonly url?: string | null | undefined;
  readonly link_text?: string | null | undefined;
}

function textOf(content: Content): string | undefined {
  if (content.type === 'text') return content.body?.trim() ? content.body : undefined;
  if (content.type === 'link' && content.url) {
    const label = content.link_text?.trim();
    return label && label !== content.url ? `${content.url} (${label})` : content.url;
  }
  // file (a presigned URL that expires in 7 days), presence and future types carry no utterance.
  return undefined;
}
