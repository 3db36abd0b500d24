// Durable state of the summary follow-up: one row per Agent AI conversation whose TRIGGER_SUMMARY_EVENT was
// delivered, recording that a summary is awaited, the summary once fetched, and whether it was written back.
// It lives in its own table of the bridge's SQLite file (storePath(config)) on its own connection, or, under
// BRIDGE_STORE=postgres, in the cluster's schema (postgres-summary-store.ts), so a restart resumes pending
// polls and write-backs without the core store knowing about summaries.
import Database from '../store/sqlite-driver.js';
import { z } from 'zod';
import { ensurePrivateFile } from '../store/private-files.js';

export type FollowUpStatus =
  /** Waiting for Agent AI to have the summary. */
  | 'polling'
  /** Summary fetched, write-back pending (or being retried). */
  | 'writing'
  /** Written back to the platform. */
  | 'written'
  /** The platform already had exactly this summary. */
  | 'unchanged'
  /** Summary fetched and kept here only (write-back off, no writer for the source, or no agent known). */
  | 'stored'
  /** The poll deadline passed without a summary. */
  | 'expired'
  /** Gave up: a final error, or write attempts exhausted. */
  | 'failed';

export interface FollowUpRecord {
  readonly conversationId: string;
  readonly bot: string;
  readonly source: string;
  /** Platform conversation ids to try for the write-back, newest first. */
  readonly platformIds: readonly string[];
  readonly agentIdentity?: string;
  readonly status: FollowUpStatus;
  readonly summary?: string;
  readonly summaryTime?: string;
  readonly polls: number;
  readonly writeAttempts: number;
  readonly nextAt: number;
  readonly deadlineAt: number;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly lastError?: string;
}

export interface NewFollowUp {
  readonly conversationId: string;
  readonly bot: string;
  readonly source: string;
  readonly platformIds: readonly string[];
  readonly agentIdentity?: string;
  readonly nextAt: number;
  readonly deadlineAt: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS summary_followups (
  conversation_id TEXT PRIMARY KEY,
  bot TEXT NOT NULL,
  source TEXT NOT NULL,
  platform_ids TEXT NOT NULL,
  agent_identity TEXT,
  status TEXT NOT NULL,
  summary TEXT,
  summary_time TEXT,
  polls INTEGER NOT NULL DEFAULT 0,
  write_attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL,
  deadline_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  last_error TEXT
);
CREATE INDEX IF NOT EXISTS summary_followups_open ON summary_followups(next_at) WHERE status IN ('polling', 'writing');
`;

const rowSchema = z.object({
  conversation_id: z.string(),
  bot: z.string(),
  source: z.string(),
  platform_ids: z.string(),
  agent_identity: z.string().nullable(),
  status: z.enum(['polling', 'writing', 'written', 'unchanged', 'stored', 'expired', 'failed']),
  summary: z.string().nullable(),
  summary_time: z.string().nullable(),
  polls: z.number(),
  write_attempts: z.number(),
  next_at: z.number(),
  deadline_at: z.number(),
  created_at: z.number(),
  updated_at: z.number(),
  last_error: z.string().nullable(),
});

const platformIdsSchema = z.array(z.string());

export function toRecord(raw: unknown): FollowUpRecord {
  const r = rowSchema.parse(raw);
  return {
    conversationId: r.conversation_id,
    bot: r.bot,
    source: r.source,
    platformIds: platformIdsSchema.parse(JSON.parse(r.platform_ids)),
    ...(r.agent_identity !== null ? { agentIdentity: r.agent_identity } : {}),
    status: r.status,
    ...(r.summary !== null ? { summary: r.summary } : {}),
    ...(r.summary_time !== null ? { summaryTime: r.summary_time } : {}),
    polls: r.polls,
    writeAttempts: r.write_attempts,
    nextAt: r.next_at,
    deadlineAt: r.deadline_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    ...(r.last_error !== null ? { lastError: r.last_error } : {}),
  };
}

export interface SummaryStore {
  /** Records that a summary is awaited. A second call for the same conversation changes nothing (resolves false). */
  add(followUp: NewFollowUp, now: number): Promise<boolean>;
  get(conversationId: string): Promise<FollowUpRecord | undefined>;
  /** Rows still polling or writing, earliest first. */
  open(): Promise<FollowUpRecord[]>;
  /** A poll found no summary (or failed in a way worth another try); `error` is kept for operators. */
  pollAgain(conversationId: string, nextAt: number, error: string | undefined, now: number): Promise<void>;
  /** The summary arrived; the row moves to `status` (writing, or a final one). */
  summaryFetched(conversationId: string, summary: string, time: string | undefined, status: FollowUpStatus, now: number): Promise<void>;
  /** A write-back attempt failed and will be retried at `nextAt`. */
  writeAgain(conversationId: string, nextAt: number, error: string, now: number): Promise<void>;
  finish(conversationId: string, status: FollowUpStatus, error: string | undefined, now: number): Promise<void>;
  /** Deletes finished rows last updated before `before`; resolves how many. */
  purgeFinished(before: number): Promise<number>;
  /** Deletes the conversation's row, summary text included (a data-subject request); resolves how many. */
  erase(conversationId: string): Promise<number>;
  close(): Promise<void>;
}

export function openSummaryStore(path: string): SummaryStore {
  if (path !== ':memory:') ensurePrivateFile(path);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);

  const q = {
    add: db.prepare(
      `INSERT OR IGNORE INTO summary_followups
         (conversation_id, bot, source, platform_ids, agent_identity, status, next_at, deadline_at, created_at, updated_at)
       VALUES (@conversationId, @bot, @source, @platformIds, @agentIdentity, 'polling', @nextAt, @deadlineAt, @now, @now)`,
    ),
    get: db.prepare('SELECT * FROM summary_followups WHERE conversation_id = ?'),
    open: db.prepare("SELECT * FROM summary_followups WHERE status IN ('polling', 'writing') ORDER BY next_at"),
    pollAgain: db.prepare(
      "UPDATE summary_followups SET polls = polls + 1, next_at = ?, last_error = ?, updated_at = ? WHERE conversation_id = ? AND status = 'polling'",
    ),
    fetched: db.prepare(
      'UPDATE summary_followups SET polls = polls + 1, summary = ?, summary_time = ?, status = ?, next_at = ?, last_error = NULL, updated_at = ? WHERE conversation_id = ?',
    ),
    writeAgain: db.prepare(
      "UPDATE summary_followups SET write_attempts = write_attempts + 1, next_at = ?, last_error = ?, updated_at = ? WHERE conversation_id = ? AND status = 'writing'",
    ),
    finish: db.prepare('UPDATE summary_followups SET status = ?, last_error = ?, updated_at = ? WHERE conversation_id = ?'),
    purge: db.prepare("DELETE FROM summary_followups WHERE status NOT IN ('polling', 'writing') AND updated_at < ?"),
    erase: db.prepare('DELETE FROM summary_followups WHERE conversation_id = ?'),
  };

  return {
    add: async (f, now) =>
      q.add.run({
        conversationId: f.conversationId,
        bot: f.bot,
        source: f.source,
        platformIds: JSON.stringify(f.platformIds),
        agentIdentity: f.agentIdentity ?? null,
        nextAt: f.nextAt,
        deadlineAt: f.deadlineAt,
        now,
      }).changes > 0,
    get: async (id) => {
      const raw = q.get.get(id);
      return raw === undefined ? undefined : toRecord(raw);
    },
    open: async () => q.open.all().map(toRecord),
    pollAgain: async (id, nextAt, error, now) => void q.pollAgain.run(nextAt, error ?? null, now, id),
    summaryFetched: async (id, summary, time, status, now) => void q.fetched.run(summary, time ?? null, status, now, now, id),
    writeAgain: async (id, nextAt, error, now) => void q.writeAgain.run(nextAt, error, now, id),
    finish: async (id, status, error, now) => void q.finish.run(status, error ?? null, now, id),
    purgeFinished: async (before) => q.purge.run(before).changes,
    erase: async (id) => {
      // Overwritten in the file, not left in its free space (see the core store's erase).
      db.pragma('secure_delete = ON');
      try {
        return q.erase.run(id).changes;
      } finally {
        db.pragma('secure_delete = OFF');
      }
    },
    close: async () => {
      if (db.open) db.close();
    },
  };
}
