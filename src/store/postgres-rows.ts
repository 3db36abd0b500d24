// Rows of the PostgreSQL store read back into the store's types. The rows are our own writes, but a shared
// database can be touched by hand or by another release: each is parsed, never cast.
import { z } from 'zod';
import { parseState } from '../core/conversation-state.js';
import type { ConversationRecord, OpenConversation, OutboxRow } from './types.js';
import { StoreError } from './errors.js';

const int = z.number().int();

const outboxRowSchema = z.object({
  id: int,
  conversation_id: z.string(),
  bot: z.string(),
  source: z.string(),
  kind: z.enum(['transfer', 'summary', 'end', 'message']),
  label: z.string(),
  event: z.string(),
  body: z.string(),
  ref: z.string().nullable(),
  status: z.enum(['pending', 'inflight', 'done', 'dead']),
  attempts: int,
  next_attempt_at: int,
  created_at: int,
  updated_at: int,
  fact_at: int,
  last_status: int.nullable(),
  last_error: z.string().nullable(),
  blocking: z.boolean(),
});

const conversationSchema = z.object({
  id: z.string(),
  bot: z.string(),
  source: z.string(),
  state: z.string(),
  clock_platform_at: int.nullable(),
  clock_local_at: int.nullable(),
  closed_at: int.nullable(),
});

const openSchema = z.object({ id: z.string(), bot: z.string(), source: z.string(), state: z.string(), updated_at: int, created_at: int });

function parse<T>(schema: z.ZodType<T>, raw: unknown, what: string): T {
  const result = schema.safeParse(raw);
  if (!result.success) throw new StoreError('STORE_CORRUPT_ROW', `${what} row does not have the expected shape: ${result.error.issues[0]?.message ?? 'invalid'}`);
  return result.data;
}

export const OUTBOX_COLUMNS = 'id, conversation_id, bot, source, kind, label, event, body, ref, status, attempts, next_attempt_at, created_at, updated_at, fact_at, last_status, last_error, blocking';
export const CONVERSATION_COLUMNS = 'id, bot, source, state, clock_platform_at, clock_local_at, closed_at';

export function toOutboxRow(raw: unknown): OutboxRow {
  const r = parse(outboxRowSchema, raw, 'outbox');
  return {
    id: r.id,
    conversationId: r.conversation_id,
    bot: r.bot,
    source: r.source,
    kind: r.kind,
    label: r.label,
    event: r.event,
    ...(r.ref !== null ? { ref: r.ref } : {}),
    bodyJson: r.body,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    createdAt: r.created_at,
    factAt: r.fact_at,
    ...(r.blocking ? { blocking: true } : {}),
    ...(r.status === 'dead' ? { deadSince: r.updated_at } : {}),
    ...(r.last_status !== null ? { lastStatus: r.last_status } : {}),
    ...(r.last_error !== null ? { lastError: r.last_error } : {}),
  };
}

export interface StoredConversation {
  readonly record: ConversationRecord;
  readonly closed: boolean;
}

export function toConversation(raw: unknown): StoredConversation {
  const r = parse(conversationSchema, raw, 'conversation');
  const record: ConversationRecord = {
    id: r.id,
    bot: r.bot,
    source: r.source,
    state: parseState(r.state),
    ...(r.clock_platform_at !== null && r.clock_local_at !== null ? { clock: { platformAt: r.clock_platform_at, localAt: r.clock_local_at } } : {}),
  };
  return { record, closed: r.closed_at !== null };
}

export function toOpenConversation(raw: unknown): OpenConversation {
  const r = parse(openSchema, raw, 'conversation');
  const state = parseState(r.state);
  return {
    id: r.id,
    bot: r.bot,
    source: r.source,
    platformIds: Object.keys(state.platforms),
    ...(state.experience ? { experience: state.experience } : {}),
    updatedAt: r.updated_at,
    createdAt: r.created_at,
  };
}
