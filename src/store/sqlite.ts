// SQLite store (better-sqlite3, WAL). Each fact is one transaction: its dedupe key, the conversation's new
// state and the outbox rows it produced commit together or not at all, so a crash can neither lose a fact
// that was acknowledged nor send an event twice because a fact was applied twice.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import type {
  ConversationRecord,
  IngestPlan,
  IngestReader,
  IngestResult,
  OutboxRow,
  OutboxStatus,
  Store,
  StoreStats,
} from './types.js';
import { parseState } from '../core/conversation-state.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS seen_facts (
  dedupe_key TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL,
  seen_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS seen_facts_conversation ON seen_facts(conversation_id);
CREATE TABLE IF NOT EXISTS conversations (
  id TEXT PRIMARY KEY,
  bot TEXT NOT NULL,
  source TEXT NOT NULL,
  state TEXT NOT NULL,
  wake_at INTEGER,
  closed_at INTEGER,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS conversations_wake ON conversations(wake_at) WHERE wake_at IS NOT NULL;
-- stats() counts open conversations on every timer tick, and the purge looks for old closed ones.
CREATE INDEX IF NOT EXISTS conversations_closed ON conversations(closed_at);
CREATE TABLE IF NOT EXISTS aliases (
  platform_id TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS redial_index (
  match_key TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  conversation_id TEXT NOT NULL,
  bot TEXT NOT NULL,
  kind TEXT NOT NULL,
  label TEXT NOT NULL,
  body TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  fact_at INTEGER NOT NULL,
  last_status INTEGER,
  last_error TEXT
);
CREATE INDEX IF NOT EXISTS outbox_open ON outbox(conversation_id, id) WHERE status IN ('pending', 'inflight');
CREATE INDEX IF NOT EXISTS outbox_dead ON outbox(id) WHERE status = 'dead';
`;

// Rows are our own writes, but they cross a process boundary (and versions): parse, don't cast.
const outboxRowSchema = z.object({
  id: z.number(),
  conversation_id: z.string(),
  bot: z.string(),
  kind: z.enum(['transfer', 'summary', 'end', 'message']),
  label: z.string(),
  body: z.string(),
  status: z.enum(['pending', 'inflight', 'done', 'dead']),
  attempts: z.number(),
  next_attempt_at: z.number(),
  created_at: z.number(),
  fact_at: z.number(),
  last_status: z.number().nullable(),
  last_error: z.string().nullable(),
});

const conversationRowSchema = z.object({ id: z.string(), bot: z.string(), source: z.string(), state: z.string() });

function toOutboxRow(raw: unknown): OutboxRow {
  const r = outboxRowSchema.parse(raw);
  return {
    id: r.id,
    conversationId: r.conversation_id,
    bot: r.bot,
    kind: r.kind,
    label: r.label,
    bodyJson: r.body,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    createdAt: r.created_at,
    factAt: r.fact_at,
    ...(r.last_status !== null ? { lastStatus: r.last_status } : {}),
    ...(r.last_error !== null ? { lastError: r.last_error } : {}),
  };
}

function toConversation(raw: unknown): ConversationRecord | undefined {
  if (raw === undefined) return undefined;
  const r = conversationRowSchema.parse(raw);
  return { id: r.id, bot: r.bot, source: r.source, state: parseState(r.state) };
}

export interface SqliteStoreOptions {
  /** File path, or ':memory:' for tests. */
  readonly path: string;
  readonly now?: () => number;
  /** full: durable across power loss; normal: across process crashes only (WAL), several times faster. */
  readonly sync?: 'full' | 'normal';
}

export function openSqliteStore(options: SqliteStoreOptions): Store {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  // FULL by default: an acknowledged fact survives power loss too, not only a process crash.
  db.pragma(`synchronous = ${options.sync === 'normal' ? 'NORMAL' : 'FULL'}`);
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  const now = options.now ?? Date.now;

  const q = {
    seen: db.prepare('SELECT 1 FROM seen_facts WHERE dedupe_key = ?'),
    remember: db.prepare('INSERT INTO seen_facts (dedupe_key, conversation_id, seen_at) VALUES (?, ?, ?)'),
    alias: db.prepare('SELECT conversation_id FROM aliases WHERE platform_id = ?'),
    addAlias: db.prepare('INSERT OR REPLACE INTO aliases (platform_id, conversation_id) VALUES (?, ?)'),
    conversation: db.prepare('SELECT id, bot, source, state FROM conversations WHERE id = ?'),
    upsertConversation: db.prepare(
      `INSERT INTO conversations (id, bot, source, state, wake_at, closed_at, updated_at) VALUES (@id, @bot, @source, @state, @wakeAt, @closedAt, @now)
       ON CONFLICT(id) DO UPDATE SET state = excluded.state, wake_at = excluded.wake_at, closed_at = excluded.closed_at, updated_at = excluded.updated_at`,
    ),
    findRedial: db.prepare(
      `SELECT c.id, c.bot, c.source, c.state FROM redial_index r JOIN conversations c ON c.id = r.conversation_id
       WHERE r.match_key = ? AND r.expires_at >= ? AND c.closed_at IS NULL`,
    ),
    putRedial: db.prepare('INSERT OR REPLACE INTO redial_index (match_key, conversation_id, expires_at) VALUES (?, ?, ?)'),
    clearRedial: db.prepare('DELETE FROM redial_index WHERE conversation_id = ?'),
    insertOutbox: db.prepare(
      `INSERT INTO outbox (conversation_id, bot, kind, label, body, status, next_attempt_at, created_at, updated_at, fact_at)
       VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)`,
    ),
    due: db.prepare('SELECT id, wake_at FROM conversations WHERE wake_at IS NOT NULL AND wake_at <= ? AND closed_at IS NULL ORDER BY wake_at'),
    nextWake: db.prepare('SELECT MIN(wake_at) AS t FROM conversations WHERE wake_at IS NOT NULL AND closed_at IS NULL'),
    nextOutbox: db.prepare("SELECT * FROM outbox WHERE conversation_id = ? AND status IN ('pending', 'inflight') ORDER BY id LIMIT 1"),
    withPending: db.prepare("SELECT DISTINCT conversation_id FROM outbox WHERE status IN ('pending', 'inflight')"),
    attempt: db.prepare("UPDATE outbox SET status = 'inflight', attempts = attempts + 1, updated_at = ? WHERE id = ?"),
    setStatus: db.prepare(
      'UPDATE outbox SET status = @status, next_attempt_at = @next, last_status = @lastStatus, last_error = @error, updated_at = @now WHERE id = @id',
    ),
    dead: db.prepare("SELECT * FROM outbox WHERE status = 'dead' ORDER BY id"),
    retryDeadOne: db.prepare("UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, created_at = ?, updated_at = ? WHERE id = ? AND status = 'dead'"),
    retryDeadAll: db.prepare("UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, created_at = ?, updated_at = ? WHERE status = 'dead'"),
    dropDead: db.prepare("DELETE FROM outbox WHERE id = ? AND status = 'dead'"),
    outboxFor: db.prepare('SELECT * FROM outbox WHERE conversation_id = ? ORDER BY id'),
    closedBefore: db.prepare('SELECT id FROM conversations WHERE closed_at IS NOT NULL AND closed_at < ?'),
    purgeSeen: db.prepare('DELETE FROM seen_facts WHERE conversation_id = ?'),
    purgeOutbox: db.prepare("DELETE FROM outbox WHERE conversation_id = ? AND status = 'done'"),
    purgeAliases: db.prepare('DELETE FROM aliases WHERE conversation_id = ?'),
    purgeConversation: db.prepare('DELETE FROM conversations WHERE id = ?'),
    countActive: db.prepare('SELECT COUNT(*) AS n FROM conversations WHERE closed_at IS NULL'),
    countOpen: db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE status IN ('pending', 'inflight')"),
    countDead: db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE status = 'dead'"),
    expireRedial: db.prepare('DELETE FROM redial_index WHERE expires_at < ?'),
  };

  const count = (stmt: Database.Statement): number => z.object({ n: z.number() }).parse(stmt.get()).n;

  const conversationFor = (platformId: string): ConversationRecord | undefined => {
    const alias = z.object({ conversation_id: z.string() }).optional().parse(q.alias.get(platformId));
    return toConversation(q.conversation.get(alias?.conversation_id ?? platformId));
  };

  const reader: IngestReader = {
    conversationFor,
    findRedial(keys, at) {
      for (const key of keys) {
        const found = toConversation(q.findRedial.get(key, at));
        if (found) return found;
      }
      return undefined;
    },
  };

  function writePlan(plan: IngestPlan, platformId: string | undefined): void {
    const t = now();
    const c = plan.conversation;
    q.upsertConversation.run({
      id: c.id,
      bot: c.bot,
      source: c.source,
      state: JSON.stringify(c.state),
      wakeAt: plan.wakeAt ?? null,
      closedAt: plan.closedAt ?? null,
      now: t,
    });
    if (plan.alias && platformId) q.addAlias.run(platformId, plan.alias);
    if (plan.redial === 'clear') q.clearRedial.run(c.id);
    else if (plan.redial) for (const key of plan.redial.keys) q.putRedial.run(key, c.id, plan.redial.until);
    for (const row of plan.outbox) {
      q.insertOutbox.run(c.id, c.bot, row.kind, row.label, JSON.stringify(row.body), t, t, t, row.factAt);
    }
  }

  const ingestTx = db.transaction(
    (dedupeKey: string, platformId: string, at: number, decide: (r: IngestReader) => IngestPlan): IngestResult => {
      if (q.seen.get(dedupeKey)) return { kind: 'duplicate' };
      const plan = decide(reader);
      q.remember.run(dedupeKey, plan.conversation.id, at);
      writePlan(plan, platformId);
      return { kind: 'applied', plan };
    },
  );

  const tickTx = db.transaction((id: string, decide: (c: ConversationRecord) => IngestPlan | undefined) => {
    const current = toConversation(q.conversation.get(id));
    if (!current) return undefined;
    const plan = decide(current);
    if (plan) writePlan(plan, undefined);
    return plan;
  });

  const setStatus = (id: number, status: OutboxStatus, next: number, lastStatus: number | undefined, error: string | undefined, t: number): void => {
    q.setStatus.run({ id, status, next, lastStatus: lastStatus ?? null, error: error ?? null, now: t });
  };

  return {
    ingest: (dedupeKey, platformId, at, decide) => ingestTx(dedupeKey, platformId, at, decide),
    tick: (id, decide) => tickTx(id, decide),
    conversation: (id) => toConversation(q.conversation.get(id)),
    dueConversations: (t) =>
      z.array(z.object({ id: z.string(), wake_at: z.number() })).parse(q.due.all(t)).map((r) => ({ id: r.id, wakeAt: r.wake_at })),
    nextWake: () => z.object({ t: z.number().nullable() }).parse(q.nextWake.get()).t ?? undefined,
    nextOutbox: (id) => {
      const raw = q.nextOutbox.get(id);
      return raw === undefined ? undefined : toOutboxRow(raw);
    },
    conversationsWithPending: () => z.array(z.object({ conversation_id: z.string() })).parse(q.withPending.all()).map((r) => r.conversation_id),
    markAttempt: (id, t) => void q.attempt.run(t, id),
    markDone: (id, status, t) => setStatus(id, 'done', t, status, undefined, t),
    markRetry: (id, next, error, status, t) => setStatus(id, 'pending', next, status, error, t),
    markDead: (id, reason, status, t) => setStatus(id, 'dead', t, status, reason, t),
    deadLetters: () => q.dead.all().map(toOutboxRow),
    retryDead: (id, t) => (id === 'all' ? q.retryDeadAll.run(t, t, t) : q.retryDeadOne.run(t, t, t, id)).changes,
    dropDead: (id) => q.dropDead.run(id).changes > 0,
    outboxFor: (id) => q.outboxFor.all(id).map(toOutboxRow),
    purgeClosed: db.transaction((before: number): number => {
      const ids = z.array(z.object({ id: z.string() })).parse(q.closedBefore.all(before));
      for (const { id } of ids) {
        q.purgeSeen.run(id);
        q.purgeOutbox.run(id);
        q.purgeAliases.run(id);
        q.clearRedial.run(id);
        q.purgeConversation.run(id);
      }
      q.expireRedial.run(before);
      return ids.length;
    }),
    stats: (): StoreStats => ({ activeConversations: count(q.countActive), outboxDepth: count(q.countOpen), deadLetters: count(q.countDead) }),
    writable: () => {
      try {
        db.exec('BEGIN IMMEDIATE; ROLLBACK;');
        return true;
      } catch {
        return false;
      }
    },
    close: () => db.close(),
  };
}
