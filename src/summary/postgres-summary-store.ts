// The summary follow-up table under BRIDGE_STORE=postgres: the same rows as the SQLite table, in the cluster's
// schema (created by the store's migration 1), so nothing of it lives on a replica's disk. The replica that
// delivered a TRIGGER_SUMMARY_EVENT follows it up; a replica that starts resumes the open rows (polls and
// write-backs are idempotent, so two replicas resuming the same row do no harm).
import type pg from 'pg';
import { createPool, unreachable } from '../store/postgres-pool.js';
import { toRecord, type SummaryStore } from './summary-store.js';

export interface PostgresSummaryStoreOptions {
  readonly url: string;
  readonly schema: string;
}

const COLUMNS = `conversation_id, bot, source, platform_ids, agent_identity, status, summary, summary_time, polls, write_attempts,
  next_at, deadline_at, created_at, updated_at, last_error`;

export function openPostgresSummaryStore(options: PostgresSummaryStoreOptions): SummaryStore {
  const pool = createPool({ url: options.url, schema: options.schema, max: 2 });
  const query = async (text: string, values: unknown[] = []): Promise<pg.QueryResult> => {
    try {
      return await pool.query(text, values);
    } catch (err) {
      throw unreachable(options.url, err);
    }
  };
  return {
    add: async (f, now) =>
      ((
        await query(
          `INSERT INTO summary_followups (conversation_id, bot, source, platform_ids, agent_identity, status, next_at, deadline_at, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, 'polling', $6, $7, $8, $8) ON CONFLICT (conversation_id) DO NOTHING`,
          [f.conversationId, f.bot, f.source, JSON.stringify(f.platformIds), f.agentIdentity ?? null, f.nextAt, f.deadlineAt, now],
        )
      ).rowCount ?? 0) > 0,
    get: async (id) => {
      const { rows } = await query(`SELECT ${COLUMNS} FROM summary_followups WHERE conversation_id = $1`, [id]);
      return rows[0] === undefined ? undefined : toRecord(rows[0]);
    },
    open: async () => (await query(`SELECT ${COLUMNS} FROM summary_followups WHERE status IN ('polling', 'writing') ORDER BY next_at`)).rows.map(toRecord),
    pollAgain: async (id, nextAt, error, now) =>
      void (await query("UPDATE summary_followups SET polls = polls + 1, next_at = $1, last_error = $2, updated_at = $3 WHERE conversation_id = $4 AND status = 'polling'", [nextAt, error ?? null, now, id])),
    summaryFetched: async (id, summary, time, status, now) =>
      void (await query(
        'UPDATE summary_followups SET polls = polls + 1, summary = $1, summary_time = $2, status = $3, next_at = $4, last_error = NULL, updated_at = $4 WHERE conversation_id = $5',
        [summary, time ?? null, status, now, id],
      )),
    writeAgain: async (id, nextAt, error, now) =>
      void (await query(
        "UPDATE summary_followups SET write_attempts = write_attempts + 1, next_at = $1, last_error = $2, updated_at = $3 WHERE conversation_id = $4 AND status = 'writing'",
        [nextAt, error, now, id],
      )),
    finish: async (id, status, error, now) =>
      void (await query('UPDATE summary_followups SET status = $1, last_error = $2, updated_at = $3 WHERE conversation_id = $4', [status, error ?? null, now, id])),
    purgeFinished: async (before) => (await query("DELETE FROM summary_followups WHERE status NOT IN ('polling', 'writing') AND updated_at < $1", [before])).rowCount ?? 0,
    erase: async (id) => (await query('DELETE FROM summary_followups WHERE conversation_id = $1', [id])).rowCount ?? 0,
    close: () => pool.end(),
  };
}
