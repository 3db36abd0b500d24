// Numbered migrations of the SQLite store. Each runs once, in order, inside one transaction, and is recorded
// in schema_migrations; a database written by a newer release (a version this code does not know) is refused
// rather than misread. Migration 1 is the first release's schema as it shipped (CREATE IF NOT EXISTS, so a
// database that release wrote is adopted as version 1 and upgraded from there).
import type { SqliteDatabase } from './sqlite-driver.js';
import { StoreError } from './errors.js';

const MIGRATIONS: readonly string[] = [
  // 1: the first release.
  `
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
`,
  // 2: platform clock per conversation, blocking dead letters, event codes, leases and cursors; an index so
  // the purge deletes a conversation's rows without scanning the outbox.
  `
ALTER TABLE conversations ADD COLUMN clock_platform_at INTEGER;
ALTER TABLE conversations ADD COLUMN clock_local_at INTEGER;
ALTER TABLE conversations ADD COLUMN created_at INTEGER;
UPDATE conversations SET created_at = updated_at WHERE created_at IS NULL;
ALTER TABLE outbox ADD COLUMN event TEXT;
ALTER TABLE outbox ADD COLUMN source TEXT;
ALTER TABLE outbox ADD COLUMN ref TEXT;
UPDATE outbox SET source = (SELECT c.source FROM conversations c WHERE c.id = outbox.conversation_id);
ALTER TABLE outbox ADD COLUMN blocking INTEGER NOT NULL DEFAULT 0;
-- Dead letters of the first release gave up after retries: they hold their conversation back.
UPDATE outbox SET blocking = 1 WHERE status = 'dead';
CREATE INDEX outbox_conversation ON outbox(conversation_id);
CREATE INDEX outbox_line ON outbox(conversation_id, id) WHERE status IN ('pending', 'inflight') OR (status = 'dead' AND blocking = 1);
CREATE INDEX conversations_open ON conversations(updated_at) WHERE closed_at IS NULL;
CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  epoch INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE TABLE cursors (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
`,  // 3: dedupe keys are kept as 16 bytes of their SHA-256 (fact-key.ts; the store registers the function
  // before migrating), and a conversation's closing time is indexed only once it has one.
  `
UPDATE seen_facts SET dedupe_key = bridge_fact_key(dedupe_key) WHERE typeof(dedupe_key) = 'text';
DROP INDEX conversations_closed;
CREATE INDEX conversations_closed ON conversations(closed_at) WHERE closed_at IS NOT NULL;
`,
];

export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length;

export function migrate(db: SqliteDatabase): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const readVersion = db.prepare('SELECT MAX(version) AS v FROM schema_migrations');
  const record = db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)');
  // One migration per write transaction, re-reading the version inside it: two processes starting at once
  // each apply what the other has not.
  const step = db.transaction((): boolean => {
    const row: unknown = readVersion.get();
    const current = typeof row === 'object' && row !== null && 'v' in row && typeof row.v === 'number' ? row.v : 0;
    if (current > MIGRATIONS.length) {
      throw new StoreError(
        'STORE_SCHEMA_TOO_NEW',
        `the store's schema is version ${current}, newer than this release knows (${MIGRATIONS.length}): run the newer release, or restore a backup`,
      );
    }
    if (current === MIGRATIONS.length) return false;
    db.exec(MIGRATIONS[current] ?? '');
    record.run(current + 1, Date.now());
    return true;
  });
  while (step.immediate()) {
    // applied one; look again
  }
}
