// PostgreSQL store: the shared state of several replicas. Everything the SQLite store promises holds here
// across processes:
// - `apply` is one transaction per batch. It first reads which conversations the batch can touch (aliases,
//   redial keys), then locks them in sorted order (a transaction advisory lock per conversation id, which also
//   covers conversations not created yet, plus FOR UPDATE on the rows), so two replicas' batches cannot
//   deadlock or lose an update. Dedupe keys are read after the locks: the same fact on two replicas is applied
//   once. Each mutation then decides synchronously over those rows and is written inside its own SAVEPOINT.
// - Fenced facts are checked against the lease row, read FOR SHARE: a new holder's takeover waits for the
//   batch, and a deposed holder's facts are refused.
// - Delivery claims: one row per conversation (holder, fence, expiry on the database clock). A claim is taken
//   when free or expired (fence + 1), renewed while held; this store renews the claims it holds on a timer, so
//   a process that dies or pauses loses them after the TTL. `record` checks holder and fence (FOR SHARE).
// - Leases on the database clock, with an epoch that moves only when the holder changes.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type {
  ClaimedUpdate,
  DeliveryClaim,
  ErasedConversation,
  ExpiredDeadLetter,
  FactMutation,
  IngestPlan,
  IngestReader,
  Lease,
  Mutation,
  MutationResult,
  OutboxUpdate,
  Store,
  StoreHint,
  StoreStats,
} from './types.js';
import { PURGED_BODY } from './types.js';
import { migratePostgres } from './postgres-schema.js';
import { createListener, createPool, isRetryableConflict, unreachable } from './postgres-pool.js';
import { BatchWrites, preparePlan, type PreparedPlan } from './postgres-batch-writes.js';
import { CONVERSATION_COLUMNS, OUTBOX_COLUMNS, toConversation, toOpenConversation, toOutboxRow, type StoredConversation } from './postgres-rows.js';

export interface PostgresStoreOptions {
  readonly url: string;
  readonly schema: string;
  /** The bridge's clock (rows it stamps: queued at, next attempt); leases and claims use the database's. */
  readonly now?: () => number;
  /** Who holds this process's delivery claims: unique per process (a restarted process never inherits). */
  readonly holder?: string;
  /** A delivery claim lapses this long after its holder last renewed it. */
  readonly claimTtlMs?: number;
  readonly poolSize?: number;
  /** Tests move the database clock forward with this instead of waiting. */
  readonly clockOffsetMs?: () => number;
}

const DEFAULT_CLAIM_TTL_MS = 10_000;
const CONFLICT_RETRIES = 5;
const LINE = "(status IN ('pending', 'inflight') OR (status = 'dead' AND blocking))";

export function processHolder(prefix = `${hostname()}-${process.pid}`): string {
  return `${prefix}#${randomBytes(6).toString('hex')}`;
}

interface BatchView {
  conversations: Map<string, StoredConversation>;
  aliases: Map<string, string>;
  redial: Map<string, { conversationId: string; expiresAt: number }>;
  seen: Set<string>;
}

export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const pool = createPool({ url: options.url, schema: options.schema, ...(options.poolSize ? { max: options.poolSize } : {}) });
  try {
    const client = await pool.connect();
    try {
      await migratePostgres(client, options.schema);
    } finally {
      client.release();
    }
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw unreachable(options.url, err);
  }
  const now = options.now ?? Date.now;
  const holder = options.holder ?? processHolder();
  const claimTtlMs = options.claimTtlMs ?? DEFAULT_CLAIM_TTL_MS;
  /** The database clock in ms, as an SQL expression (the offset is a number we computed, never input). */
  const dbNow = (): string => `((extract(epoch from statement_timestamp()) * 1000)::bigint + ${Math.trunc(options.clockOffsetMs?.() ?? 0)})`;
  const held = new Set<string>();
  let closed = false;
  const hints = createHints(options.url, options.schema, () => closed);

  const query = async <R extends pg.QueryResultRow = Record<string, unknown>>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> => {
    try {
      return await pool.query<R>(text, values);
    } catch (err) {
      throw unreachable(options.url, err);
    }
  };

  async function transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw unreachable(options.url, err);
      }
      let broken = false;
      try {
        await client.query('BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        if (isRetryableConflict(err) && attempt < CONFLICT_RETRIES) continue;
        throw unreachable(options.url, err);
      } finally {
        client.release(broken);
      }
    }
  }

  /** Reads and locks what the batch can touch; the view later mutations of the batch read and write. */
  async function lockBatch(client: pg.PoolClient, batch: readonly Mutation[]): Promise<BatchView> {
    const facts = batch.filter((m): m is FactMutation => m.kind === 'fact');
    const platformIds = [...new Set(facts.map((f) => f.platformConversationId))];
    const redialKeys = [...new Set(facts.flatMap((f) => f.redialKeys))];
    const locked = new Set<string>();
    const view: BatchView = { conversations: new Map(), aliases: new Map(), redial: new Map(), seen: new Set() };
    // Read the routing, lock what it names, and read it again under the locks: another replica may have added
    // an alias or a redial key meanwhile. Rarely a second round locks a little out of order; PostgreSQL then
    // picks a deadlock victim and the batch is retried.
    for (let round = 0; round < 3; round++) {
      const aliases = await client.query<{ platform_id: string; conversation_id: string }>(
        'SELECT platform_id, conversation_id FROM aliases WHERE platform_id = ANY($1::text[])',
        [platformIds],
      );
      const redial = await client.query<{ match_key: string; conversation_id: string; expires_at: number }>(
        'SELECT match_key, conversation_id, expires_at FROM redial_index WHERE match_key = ANY($1::text[])',
        [redialKeys],
      );
      view.aliases = new Map(aliases.rows.map((r) => [r.platform_id, r.conversation_id]));
      view.redial = new Map(redial.rows.map((r) => [r.match_key, { conversationId: r.conversation_id, expiresAt: r.expires_at }]));
      const wanted = new Set<string>([
        ...platformIds,
        ...platformIds.map((p) => view.aliases.get(p)).filter((id): id is string => id !== undefined),
        ...redial.rows.map((r) => r.conversation_id),
        ...batch.flatMap((m) => (m.kind === 'tick' ? [m.conversationId] : [])),
      ]);
      const missing = [...wanted].filter((id) => !locked.has(id)).sort();
      if (missing.length === 0) break;
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest($1::text[]) WITH ORDINALITY AS t(k, n) ORDER BY n', [missing]);
      for (const id of missing) locked.add(id);
    }
    const rows = await client.query(`SELECT ${CONVERSATION_COLUMNS} FROM conversations WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE`, [[...locked]]);
    for (const raw of rows.rows) {
      const c = toConversation(raw);
      view.conversations.set(c.record.id, c);
    }
    const seen = await client.query<{ dedupe_key: string }>('SELECT dedupe_key FROM seen_facts WHERE dedupe_key = ANY($1::text[])', [facts.map((f) => f.dedupeKey)]);
    view.seen = new Set(seen.rows.map((r) => r.dedupe_key));
    return view;
  }

  /** Lease epochs that are current and unexpired, read FOR SHARE so a takeover waits for this batch. */
  async function liveEpochs(client: pg.PoolClient, batch: readonly Mutation[]): Promise<Map<string, number>> {
    const names = [...new Set(batch.flatMap((m) => (m.kind === 'fact' && m.fence ? [m.fence.lease] : [])))].sort();
    if (names.length === 0) return new Map();
    const { rows } = await client.query<{ name: string; epoch: number }>(
      `SELECT name, epoch FROM leases WHERE name = ANY($1::text[]) AND expires_at >= ${dbNow()} ORDER BY name FOR SHARE`,
      [names],
    );
    return new Map(rows.map((r) => [r.name, r.epoch]));
  }

  const readerOver = (view: BatchView): IngestReader => ({
    conversationFor: (platformId) => view.conversations.get(view.aliases.get(platformId) ?? platformId)?.record,
    findRedial: (keys, at) => {
      for (const key of keys) {
        const entry = view.redial.get(key);
        if (!entry || entry.expiresAt < at) continue;
        const c = view.conversations.get(entry.conversationId);
        if (c && !c.closed) return c.record;
      }
      return undefined;
    },
  });

  /** What a plan changes in the batch's view, for the mutations after it. */
  function applyToView(view: BatchView, plan: IngestPlan, platformId: string | undefined): void {
    const c = plan.conversation;
    view.conversations.set(c.id, { record: c, closed: plan.closedAt !== undefined });
    if (plan.alias && platformId) view.aliases.set(platformId, plan.alias);
    if (plan.redial === 'clear') {
      for (const [key, entry] of view.redial) if (entry.conversationId === c.id) view.redial.delete(key);
    } else if (plan.redial) {
      for (const key of plan.redial.keys) view.redial.set(key, { conversationId: c.id, expiresAt: plan.redial.until });
    }
  }

  /** Decides every mutation over the view; what they write is gathered in `writes`. Never touches the database. */
  function decideAll(view: BatchView, batch: readonly Mutation[], epochs: Map<string, number>, writes: BatchWrites): MutationResult[] {
    return batch.map((m): MutationResult => {
      if (m.kind === 'fact' && m.fence && epochs.get(m.fence.lease) !== m.fence.epoch) return { kind: 'fenced' };
      if (m.kind === 'fact' && view.seen.has(m.dedupeKey)) return { kind: 'duplicate' };
      let prepared: PreparedPlan;
      try {
        let plan: IngestPlan | undefined;
        if (m.kind === 'tick') {
          const current = view.conversations.get(m.conversationId)?.record;
          plan = current ? m.decide(current) : undefined;
        } else {
          plan = m.decide(readerOver(view));
        }
        if (!plan) return { kind: 'unchanged' };
        prepared = preparePlan(plan);
      } catch (err) {
        return { kind: 'failed', error: err instanceof Error ? err : new Error(String(err)) };
      }
      const platformId = m.kind === 'fact' ? m.platformConversationId : undefined;
      applyToView(view, prepared.plan, platformId);
      if (m.kind === 'fact') view.seen.add(m.dedupeKey);
      writes.add(prepared, platformId, m.kind === 'fact' ? { key: m.dedupeKey, at: m.at } : undefined);
      return { kind: 'applied', plan: prepared.plan };
    });
  }

  /**
   * The whole batch decided in memory, then written set-based under one savepoint. If the database refuses
   * those writes (a value it will not store), they are rolled back and the batch is written again mutation by
   * mutation, each in its own savepoint, so that only the offending one fails.
   */
  async function applyBatch(client: pg.PoolClient, batch: readonly Mutation[]): Promise<MutationResult[]> {
    const epochs = await liveEpochs(client, batch);
    const view = await lockBatch(client, batch);
    const t = now();
    const writes = new BatchWrites();
    const results = decideAll(view, batch, epochs, writes);
    await client.query('SAVEPOINT batch');
    try {
      await writes.flush(client, t);
      await client.query('RELEASE SAVEPOINT batch');
      return results;
    } catch (err) {
      await client.query('ROLLBACK TO SAVEPOINT batch');
      if (isConnectionLost(err) || isRetryableConflict(err)) throw err;
      return applyOneByOne(client, batch, epochs, t);
    }
  }

  async function applyOneByOne(client: pg.PoolClient, batch: readonly Mutation[], epochs: Map<string, number>, t: number): Promise<MutationResult[]> {
    // The locks are still held; the rows are read again as the rolled-back writes left them.
    let view = await lockBatch(client, batch);
    const results: MutationResult[] = [];
    for (const m of batch) {
      const writes = new BatchWrites();
      const [result] = decideAll(view, [m], epochs, writes);
      if (result?.kind !== 'applied') {
        results.push(result ?? { kind: 'unchanged' });
        continue;
      }
      await client.query('SAVEPOINT mutation');
      try {
        await writes.flush(client, t);
        await client.query('RELEASE SAVEPOINT mutation');
        results.push(result);
      } catch (err) {
        await client.query('ROLLBACK TO SAVEPOINT mutation');
        // A deadlock victim or a lost connection fails the batch as a whole (retried), not this mutation.
        if (isConnectionLost(err) || isRetryableConflict(err)) throw err;
        results.push({ kind: 'failed', error: err instanceof Error ? err : new Error(String(err)) });
        // Its effects on the view are undone by reading the rows again.
        view = await lockBatch(client, batch);
      }
    }
    return results;
  }

  async function writeMark(client: pg.PoolClient, u: OutboxUpdate, conversationId: string): Promise<void> {
    switch (u.status) {
      case 'inflight':
        await client.query("UPDATE outbox SET status = 'inflight', attempts = attempts + 1, updated_at = $1 WHERE id = $2 AND conversation_id = $3", [u.at, u.id, conversationId]);
        return;
      case 'done':
        await client.query(
          `UPDATE outbox SET status = 'done', next_attempt_at = $1, last_status = $2, last_error = NULL, blocking = FALSE, updated_at = $1,
             body = CASE WHEN $5::boolean THEN $6 ELSE body END
           WHERE id = $3 AND conversation_id = $4`,
          [u.at, u.httpStatus, u.id, conversationId, u.purgeBody === true, PURGED_BODY],
        );
        return;
      case 'pending':
        await client.query(
          "UPDATE outbox SET status = 'pending', next_attempt_at = $1, last_status = $2, last_error = $3, blocking = FALSE, updated_at = $4 WHERE id = $5 AND conversation_id = $6",
          [u.nextAttemptAt, u.httpStatus ?? null, u.error, u.at, u.id, conversationId],
        );
        return;
      case 'dead':
        await client.query(
          "UPDATE outbox SET status = 'dead', next_attempt_at = $1, last_status = $2, last_error = $3, blocking = $4, updated_at = $1 WHERE id = $5 AND conversation_id = $6",
          [u.at, u.httpStatus ?? null, u.reason, u.blocking, u.id, conversationId],
        );
        return;
    }
  }

  async function renewClaims(): Promise<void> {
    if (held.size === 0 || closed) return;
    const ids = [...held];
    const { rows } = await query<{ conversation_id: string }>(
      `UPDATE delivery_claims SET expires_at = ${dbNow()} + $3 WHERE holder = $1 AND conversation_id = ANY($2::text[]) RETURNING conversation_id`,
      [holder, ids, claimTtlMs],
    );
    const kept = new Set(rows.map((r) => r.conversation_id));
    for (const id of ids) if (!kept.has(id)) held.delete(id);
  }
  // Renewal is what keeps a claim: a paused or dead process loses its claims after the TTL.
  const renewTimer = setInterval(() => void renewClaims().catch(() => undefined), Math.max(100, Math.floor(claimTtlMs / 3)));
  renewTimer.unref();

  const store: Store = {
    engine: 'postgres',
    apply: async (batch) => (batch.length === 0 ? [] : transaction((client) => applyBatch(client, batch))),
    conversation: async (id) => {
      const { rows } = await query(`SELECT ${CONVERSATION_COLUMNS} FROM conversations WHERE id = $1`, [id]);
      return rows[0] ? toConversation(rows[0]).record : undefined;
    },
    openConversations: async (source) => {
      const { rows } = await query(
        'SELECT id, bot, source, state, updated_at, created_at FROM conversations WHERE closed_at IS NULL AND ($1::text IS NULL OR source = $1) ORDER BY updated_at, id',
        [source ?? null],
      );
      return rows.map(toOpenConversation);
    },
    dueConversations: async (t, limit) => {
      const { rows } = await query<{ id: string; wake_at: number }>(
        'SELECT id, wake_at FROM conversations WHERE wake_at IS NOT NULL AND wake_at <= $1 AND closed_at IS NULL ORDER BY wake_at LIMIT $2',
        [t, limit],
      );
      return rows.map((r) => ({ id: r.id, wakeAt: r.wake_at }));
    },
    nextWake: async () => {
      const { rows } = await query<{ t: number | null }>('SELECT MIN(wake_at) AS t FROM conversations WHERE wake_at IS NOT NULL AND closed_at IS NULL');
      return rows[0]?.t ?? undefined;
    },
    claim: async (ids) => {
      if (ids.length === 0) return [];
      const claims = await transaction(async (client) => {
        await client.query(
          'INSERT INTO delivery_claims (conversation_id, holder, fence, expires_at) SELECT id, $2, 0, 0 FROM unnest($1::text[]) AS id ON CONFLICT (conversation_id) DO NOTHING',
          [[...ids], holder],
        );
        // Rows another claimer is writing right now are skipped, not waited for: it is taking them.
        const { rows } = await client.query<{ conversation_id: string; fence: number }>(
          `UPDATE delivery_claims c SET holder = $2, expires_at = ${dbNow()} + $3,
             fence = CASE WHEN c.holder = $2 AND c.expires_at >= ${dbNow()} THEN c.fence ELSE c.fence + 1 END
           WHERE c.conversation_id IN (
             SELECT conversation_id FROM delivery_claims
             WHERE conversation_id = ANY($1::text[]) AND (holder = $2 OR expires_at < ${dbNow()})
             ORDER BY conversation_id FOR UPDATE SKIP LOCKED)
           RETURNING c.conversation_id, c.fence`,
          [[...ids], holder, claimTtlMs],
        );
        return rows.map((r): DeliveryClaim => ({ conversationId: r.conversation_id, fence: r.fence }));
      });
      for (const c of claims) held.add(c.conversationId);
      const order = new Map(ids.map((id, i) => [id, i]));
      return claims.sort((a, b) => (order.get(a.conversationId) ?? 0) - (order.get(b.conversationId) ?? 0));
    },
    release: async (claims) => {
      if (claims.length === 0) return;
      for (const c of claims) held.delete(c.conversationId);
      const { rowCount } = await query(
        'UPDATE delivery_claims c SET expires_at = 0 FROM unnest($2::text[], $3::bigint[]) AS r(id, fence) WHERE c.conversation_id = r.id AND c.fence = r.fence AND c.holder = $1',
        [holder, claims.map((c) => c.conversationId), claims.map((c) => c.fence)],
      );
      if (rowCount) await hints.notify(query, 'claims-released');
    },
    claimable: async (t, limit) => {
      const { rows } = await query<{ conversation_id: string }>(
        `SELECT o.conversation_id FROM (SELECT DISTINCT conversation_id FROM outbox WHERE status IN ('pending', 'inflight') AND next_attempt_at <= $1) o
         WHERE NOT EXISTS (SELECT 1 FROM delivery_claims c WHERE c.conversation_id = o.conversation_id AND c.holder <> $2 AND c.expires_at >= ${dbNow()})
         LIMIT $3`,
        [t, holder, limit],
      );
      return rows.map((r) => r.conversation_id);
    },
    head: async (id) => {
      const { rows } = await query(`SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE conversation_id = $1 AND ${LINE} ORDER BY id LIMIT 1`, [id]);
      return rows[0] ? toOutboxRow(rows[0]) : undefined;
    },
    record: async (updates) => {
      if (updates.length === 0) return { refused: [] };
      return transaction(async (client) => {
        const ids = [...new Set(updates.map((u) => u.claim.conversationId))].sort();
        // FOR SHARE: a takeover of these conversations waits until these marks are written.
        const { rows } = await client.query<{ conversation_id: string; fence: number }>(
          'SELECT conversation_id, fence FROM delivery_claims WHERE conversation_id = ANY($1::text[]) AND holder = $2 ORDER BY conversation_id FOR SHARE',
          [ids, holder],
        );
        const fences = new Map(rows.map((r) => [r.conversation_id, r.fence]));
        const refused: number[] = [];
        for (const { claim, update } of updates) {
          if (fences.get(claim.conversationId) !== claim.fence) refused.push(update.id);
          else await writeMark(client, update, claim.conversationId);
        }
        return { refused };
      });
    },
    deadLetters: async () => (await query(`SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE status = 'dead' ORDER BY id`)).rows.map(toOutboxRow),
    retryDead: async (id, t) => {
      const sql = "UPDATE outbox SET status = 'pending', attempts = 0, blocking = FALSE, next_attempt_at = $1, created_at = $1, updated_at = $1 WHERE status = 'dead'";
      const result = id === 'all' ? await query(sql, [t]) : await query(`${sql} AND id = $2`, [t, id]);
      return result.rowCount ?? 0;
    },
    dropDead: async (id) => ((await query("DELETE FROM outbox WHERE id = $1 AND status = 'dead'", [id])).rowCount ?? 0) > 0,
    outboxFor: async (id) => (await query(`SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE conversation_id = $1 ORDER BY id`, [id])).rows.map(toOutboxRow),
    acquireLease: async (name, who, ttlMs) => {
      const { rows } = await query<{ epoch: number; expires_at: number }>(
        `INSERT INTO leases (name, holder, epoch, expires_at) VALUES ($1, $2, 1, ${dbNow()} + $3)
         ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at,
           epoch = CASE WHEN leases.holder = EXCLUDED.holder AND leases.expires_at >= ${dbNow()} THEN leases.epoch ELSE leases.epoch + 1 END
         WHERE leases.holder = EXCLUDED.holder OR leases.expires_at < ${dbNow()}
         RETURNING epoch, expires_at`,
        [name, who, ttlMs],
      );
      const r = rows[0];
      return r ? ({ name, holder: who, epoch: r.epoch, expiresAt: r.expires_at } satisfies Lease) : undefined;
    },
    releaseLease: async (name, who, epoch) => {
      const { rowCount } = await query('UPDATE leases SET expires_at = 0 WHERE name = $1 AND holder = $2 AND epoch = $3', [name, who, epoch]);
      if (rowCount) await hints.notify(query, 'lease-released');
    },
    cursor: async (name) => (await query<{ value: number }>('SELECT value FROM cursors WHERE name = $1', [name])).rows[0]?.value,
    setCursor: async (name, value) =>
      void (await query('INSERT INTO cursors (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value', [name, value])),
    purgeClosed: async (before, limit) =>
      transaction(async (client) => {
        // SKIP LOCKED: a conversation a batch is writing right now is left for the next slice.
        const { rows } = await client.query<{ id: string }>(
          'SELECT id FROM conversations WHERE closed_at IS NOT NULL AND closed_at < $1 ORDER BY closed_at, id LIMIT $2 FOR UPDATE SKIP LOCKED',
          [before, limit],
        );
        const ids = rows.map((r) => r.id);
        if (ids.length) {
          await client.query('DELETE FROM seen_facts WHERE conversation_id = ANY($1::text[])', [ids]);
          await client.query("DELETE FROM outbox WHERE conversation_id = ANY($1::text[]) AND status = 'done'", [ids]);
          await client.query('DELETE FROM aliases WHERE conversation_id = ANY($1::text[])', [ids]);
          await client.query('DELETE FROM redial_index WHERE conversation_id = ANY($1::text[])', [ids]);
          await client.query('DELETE FROM delivery_claims WHERE conversation_id = ANY($1::text[])', [ids]);
          await client.query('DELETE FROM conversations WHERE id = ANY($1::text[])', [ids]);
        }
        await client.query('DELETE FROM redial_index WHERE expires_at < $1', [before]);
        return ids.length;
      }),
    expireDeadLetters: async (before, limit) =>
      transaction(async (client) => {
        // SKIP LOCKED: a letter an operator is retrying or dropping right now is left for the next sweep.
        const { rows } = await client.query(
          `DELETE FROM outbox WHERE id IN (
             SELECT id FROM outbox WHERE status = 'dead' AND updated_at < $1 ORDER BY updated_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)
           RETURNING ${OUTBOX_COLUMNS}`,
          [before, limit],
        );
        const expired: ExpiredDeadLetter[] = [];
        for (const r of rows.map(toOutboxRow).sort((a, b) => (a.deadSince ?? 0) - (b.deadSince ?? 0) || a.id - b.id)) {
          const queued = r.blocking
            ? await client.query("DELETE FROM outbox WHERE conversation_id = $1 AND id > $2 AND status = 'pending'", [r.conversationId, r.id])
            : undefined;
          expired.push({ id: r.id, conversationId: r.conversationId, label: r.label, event: r.event, blocking: r.blocking === true, deadSince: r.deadSince ?? before, queuedRemoved: queued?.rowCount ?? 0 });
        }
        return expired;
      }),
    erase: async (given) =>
      transaction(async (client): Promise<ErasedConversation | undefined> => {
        const own = await client.query<{ closed_at: number | null }>('SELECT closed_at FROM conversations WHERE id = $1', [given]);
        const alias = own.rows.length ? undefined : await client.query<{ conversation_id: string }>('SELECT conversation_id FROM aliases WHERE platform_id = $1', [given]);
        const id = alias?.rows[0]?.conversation_id ?? given;
        // The same lock a batch takes on this conversation: no fact of it is being applied meanwhile.
        await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [id]);
        const conv = await client.query<{ closed_at: number | null }>('SELECT closed_at FROM conversations WHERE id = $1 FOR UPDATE', [id]);
        const count = async (sql: string, values: unknown[]): Promise<number> => (await client.query(sql, values)).rowCount ?? 0;
        const removed = {
          facts: await count('DELETE FROM seen_facts WHERE conversation_id = $1', [id]),
          outbox: await count('DELETE FROM outbox WHERE conversation_id = $1', [id]),
          aliases: await count('DELETE FROM aliases WHERE conversation_id = $1 OR platform_id = $2', [id, given]),
          redialKeys: await count('DELETE FROM redial_index WHERE conversation_id = $1', [id]),
          claims: await count('DELETE FROM delivery_claims WHERE conversation_id = $1', [id]),
          conversations: await count('DELETE FROM conversations WHERE id = $1', [id]),
        };
        if (Object.values(removed).every((n) => n === 0)) return undefined;
        return { conversationId: id, removed, wasOpen: conv.rows[0] !== undefined && conv.rows[0].closed_at === null };
      }),
    stats: async (): Promise<StoreStats> => {
      const { rows } = await query<{ active: number; oldest_active: number | null; depth: number; oldest_pending: number | null; dead: number }>(
        `SELECT
           (SELECT COUNT(*)::int FROM conversations WHERE closed_at IS NULL) AS active,
           (SELECT MIN(created_at) FROM conversations WHERE closed_at IS NULL) AS oldest_active,
           (SELECT COUNT(*)::int FROM outbox WHERE status IN ('pending', 'inflight')) AS depth,
           (SELECT MIN(created_at) FROM outbox WHERE status IN ('pending', 'inflight')) AS oldest_pending,
           (SELECT COUNT(*)::int FROM outbox WHERE status = 'dead') AS dead`,
      );
      const r = rows[0];
      return {
        activeConversations: r?.active ?? 0,
        ...(r?.oldest_active != null ? { oldestActiveAt: r.oldest_active } : {}),
        outboxDepth: r?.depth ?? 0,
        ...(r?.oldest_pending != null ? { oldestPendingAt: r.oldest_pending } : {}),
        deadLetters: r?.dead ?? 0,
      };
    },
    writable: async () => {
      try {
        const { rows } = await pool.query<{ primary: boolean }>('SELECT NOT pg_is_in_recovery() AS primary');
        return rows[0]?.primary === true;
      } catch {
        return false;
      }
    },
    onHint: (listener) => hints.add(listener),
    close: async () => {
      if (closed) return;
      closed = true;
      clearInterval(renewTimer);
      // Claims still held lapse at once, so other replicas take these conversations without waiting.
      if (held.size) {
        await query('UPDATE delivery_claims SET expires_at = 0 WHERE holder = $1 AND conversation_id = ANY($2::text[])', [holder, [...held]])
          .then(() => hints.notify(query, 'claims-released'))
          .catch(() => undefined);
      }
      held.clear();
      await hints.close();
      await pool.end();
    },
  };
  return store;
}

/**
 * LISTEN/NOTIFY on one channel per schema, as a wake-up hint only: the listening connection is opened when
 * the first listener registers and reopened after a drop; while it is down, callers' polling covers.
 */
function createHints(url: string, schema: string, isClosed: () => boolean) {
  const channel = `${schema}_hints`;
  const listeners = new Set<(hint: StoreHint) => void>();
  let client: pg.Client | undefined;
  let connecting = false;
  const isHint = (v: string | undefined): v is StoreHint => v === 'lease-released' || v === 'claims-released';
  const listen = async (): Promise<void> => {
    if (client || connecting || isClosed() || listeners.size === 0) return;
    connecting = true;
    const c = createListener(url);
    c.on('notification', (msg) => {
      if (isHint(msg.payload)) for (const l of listeners) l(msg.payload);
    });
    c.on('end', () => {
      if (client === c) client = undefined;
      if (!isClosed()) setTimeout(() => void listen(), 1_000).unref();
    });
    try {
      await c.connect();
      await c.query(`LISTEN "${channel}"`);
      client = c;
    } catch {
      await c.end().catch(() => undefined);
      if (!isClosed()) setTimeout(() => void listen(), 1_000).unref();
    } finally {
      connecting = false;
    }
  };
  return {
    add(listener: (hint: StoreHint) => void): () => void {
      listeners.add(listener);
      void listen();
      return () => void listeners.delete(listener);
    },
    async notify(query: (text: string, values?: unknown[]) => Promise<unknown>, hint: StoreHint): Promise<void> {
      await query('SELECT pg_notify($1, $2)', [channel, hint]).catch(() => undefined);
    },
    async close(): Promise<void> {
      listeners.clear();
      const c = client;
      client = undefined;
      await c?.end().catch(() => undefined);
    },
  };
}

/** The connection itself failed (database restarted, network cut): the whole batch is retried by the caller. */
function isConnectionLost(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
  return code.startsWith('08') || code === '57P01' || code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === 'EPIPE';
}

