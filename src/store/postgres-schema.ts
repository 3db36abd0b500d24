// Numbered migrations of the PostgreSQL store, in its own schema (BRIDGE_POSTGRES_SCHEMA). They run at start
// in one transaction under an advisory lock, so replicas starting at once apply each migration exactly once;
// each is recorded in schema_migrations, and a schema newer than this code is refused rather than misread.
// Times are milliseconds in BIGINT: the bridge's clock for rows it stamps, the database's for leases and
// delivery claims (so replicas whose clocks disagree still agree on who holds what).
import type { PoolClient } from 'pg';
import { StoreError } from './errors.js';

const MIGRATIONS: readonly string[] = [
  // 1: the first PostgreSQL release: the SQLite store's tables at its version 2, delivery claims, summaries.
  `
CREATE TABLE seen_facts (
  dedupe_key TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL,
  seen_at BIGINT NOT NULL
);
CREATE INDEX seen_facts_conversation ON seen_facts(conversation_id);
CREATE TABLE conversations (
  id TEXT PRIMARY KEY,
  bot TEXT NOT NULL,
  source TEXT NOT NULL,
  state TEXT NOT NULL,
  wake_at BIGINT,
  closed_at BIGINT,
  updated_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  clock_platform_at BIGINT,
  clock_local_at BIGINT
);
CREATE INDEX conversations_wake ON conversations(wake_at) WHERE wake_at IS NOT NULL AND closed_at IS NULL;
CREATE INDEX conversations_closed ON conversations(closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX conversations_open ON conversations(updated_at) WHERE closed_at IS NULL;
CREATE TABLE aliases (
  platform_id TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL
);
CREATE INDEX aliases_conversation ON aliases(conversation_id);
CREATE TABLE redial_index (
  match_key TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX redial_index_conversation ON redial_index(conversation_id);
CREATE TABLE outbox (
  id BIGSERIAL PRIMARY KEY,
  conversation_id TEXT NOT NULL,
  bot TEXT NOT NULL,
  source TEXT NOT NULL,
  kind TEXT NOT NULL,
  label TEXT NOT NULL,
  event TEXT NOT NULL,
  body TEXT NOT NULL,
  ref TEXT,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  fact_at BIGINT NOT NULL,
  last_status INTEGER,
  last_error TEXT,
  blocking BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX outbox_conversation ON outbox(conversation_id, id);
CREATE INDEX outbox_ready ON outbox(next_attempt_at) WHERE status IN ('pending', 'inflight');
CREATE INDEX outbox_dead ON outbox(id) WHERE status = 'dead';
CREATE TABLE delivery_claims (
  conversation_id TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  fence BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  epoch BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE TABLE cursors (
  name TEXT PRIMARY KEY,
  value BIGINT NOT NULL
);
CREATE TABLE summary_followups (
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
  next_at BIGINT NOT NULL,
  deadline_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  last_error TEXT
);
CREATE INDEX summary_followups_open ON summary_followups(next_at) WHERE status IN ('polling', 'writing');
`,
];

export const POSTGRES_SCHEMA_VERSION = MIGRATIONS.length;

/** A schema name used unquoted in SQL: letters, digits and underscores, as PostgreSQL folds them. */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function quoteSchema(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) throw new StoreError('STORE_UNREACHABLE', `schema name "${schema}" must match ${String(SCHEMA_NAME)}`);
  return `"${schema}"`;
}

/**
 * Creates the schema and applies what is missing. The advisory lock is taken before the schema exists, on
 * the database as a whole, keyed by the schema's name: concurrent starts wait for each other, not fail.
 */
export async function migratePostgres(client: PoolClient, schema: string, upTo: number = MIGRATIONS.length): Promise<number> {
  const s = quoteSchema(schema);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`agentai-bridge:migrate:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ v: number | null }>(`SELECT MAX(version) AS v FROM ${s}.schema_migrations`);
    const current = rows[0]?.v ?? 0;
    if (current > MIGRATIONS.length) {
      throw new StoreError(
        'STORE_SCHEMA_TOO_NEW',
        `the store's schema ${schema} is version ${current}, newer than this release knows (${MIGRATIONS.length}): run the newer release, or restore a backup`,
      );
    }
    await client.query(`SET LOCAL search_path TO ${s}`);
    for (let v = current; v < Math.min(upTo, MIGRATIONS.length); v++) {
      await client.query(MIGRATIONS[v] ?? '');
      await client.query(`INSERT INTO ${s}.schema_migrations (version) VALUES ($1)`, [v + 1]);
    }
    await client.query('COMMIT');
    return Math.max(current, Math.min(upTo, MIGRATIONS.length));
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
