// SQLite store (better-sqlite3, WAL): the embedded default, one process per file. A batch of mutations is one
// transaction: every fact's dedupe key, its conversation's new state and the outbox rows it produced commit
// together or not at all (group commit: one fsync for the batch, not one per fact). Each mutation runs in its
// own savepoint, so one that throws is refused alone. Delivery marks are batched the same way (`record`).
// Decoded conversations are cached: the process is the only writer, so the cache cannot go stale.
import Database from './sqlite-driver.js';
import type {
  ClaimedUpdate,
  ConversationRecord,
  DeliveryClaim,
  ErasedConversation,
  ExpiredDeadLetter,
  IngestPlan,
  IngestReader,
  Lease,
  Mutation,
  MutationResult,
  OpenConversation,
  OutboxRow,
  OutboxStatus,
  Store,
  StoreStats,
} from './types.js';
import { PURGED_BODY } from './types.js';
import { parseState, serialiseState } from '../core/conversation-state.js';
import { FACT_KEY_SQL_FUNCTION, factKey } from './fact-key.js';
import { migrate } from './sqlite-schema.js';
import { StoreError } from './errors.js';
import { ConversationCache } from './conversation-cache.js';
import { startWalCheckpointer } from './wal-checkpointer.js';
import { WalSync } from './wal-sync.js';
import { ensurePrivateFile, tightenIfPresent } from './private-files.js';

export interface SqliteStoreOptions {
  /** File path, or ':memory:' for tests. */
  readonly path: string;
  readonly now?: () => number;
  /** full: durable across power loss; normal: across process crashes only (WAL), several times faster. */
  readonly sync?: 'full' | 'normal';
  /** Decoded conversations kept in memory (most recently used). */
  readonly cacheSize?: number;
}

// Rows are our own writes, read back by the same code that wrote them; a row of the wrong shape means a
// corrupt file or a foreign writer, and is reported as such rather than cast.
function str(row: Record<string, unknown>, key: string): string {
  const v = row[key];
  if (typeof v !== 'string') throw new StoreError('STORE_CORRUPT_ROW', `store row has no text in ${key}`);
  return v;
}
function num(row: Record<string, unknown>, key: string): number {
  const v = row[key];
  if (typeof v !== 'number') throw new StoreError('STORE_CORRUPT_ROW', `store row has no number in ${key}`);
  return v;
}
function optNum(row: Record<string, unknown>, key: string): number | undefined {
  const v = row[key];
  return typeof v === 'number' ? v : undefined;
}
function asRow(raw: unknown): Record<string, unknown> | undefined {
  return typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : undefined;
}

const KINDS: readonly OutboxRow['kind'][] = ['transfer', 'summary', 'end', 'message'];
const STATUSES: readonly OutboxStatus[] = ['pending', 'inflight', 'done', 'dead'];
const isKind = (v: string): v is OutboxRow['kind'] => (KINDS as readonly string[]).includes(v);
const isStatus = (v: string): v is OutboxStatus => (STATUSES as readonly string[]).includes(v);
const tuple = (raw: unknown): unknown[] => (Array.isArray(raw) ? raw : []);

function toOutboxRow(raw: unknown): OutboxRow {
  const r = asRow(raw);
  if (!r) throw new StoreError('STORE_CORRUPT_ROW', 'outbox row missing');
  const kind = str(r, 'kind');
  const status = str(r, 'status');
  if (!isKind(kind) || !isStatus(status)) throw new StoreError('STORE_CORRUPT_ROW', `outbox row ${String(r.id)} has kind ${kind}, status ${status}`);
  const lastStatus = optNum(r, 'last_status');
  const lastError = typeof r.last_error === 'string' ? r.last_error : undefined;
  const label = str(r, 'label');
  return {
    id: num(r, 'id'),
    conversationId: str(r, 'conversation_id'),
    bot: str(r, 'bot'),
    source: typeof r.source === 'string' ? r.source : '',
    kind,
    label,
    ...(typeof r.ref === 'string' ? { ref: r.ref } : {}),
    event: typeof r.event === 'string' ? r.event : label,
    bodyJson: str(r, 'body'),
    status,
    attempts: num(r, 'attempts'),
    nextAttemptAt: num(r, 'next_attempt_at'),
    createdAt: num(r, 'created_at'),
    factAt: num(r, 'fact_at'),
    ...(r.blocking === 1 ? { blocking: true } : {}),
    ...(status === 'dead' ? { deadSince: num(r, 'updated_at') } : {}),
    ...(lastStatus !== undefined ? { lastStatus } : {}),
    ...(lastError !== undefined ? { lastError } : {}),
  };
}

function toConversation(raw: unknown): ConversationRecord | undefined {
  const r = asRow(raw);
  if (!r) return undefined;
  const platformAt = optNum(r, 'clock_platform_at');
  const localAt = optNum(r, 'clock_local_at');
  return {
    id: str(r, 'id'),
    bot: str(r, 'bot'),
    source: str(r, 'source'),
    state: parseState(str(r, 'state')),
    ...(platformAt !== undefined && localAt !== undefined ? { clock: { platformAt, localAt } } : {}),
  };
}

export function openSqliteStore(options: SqliteStoreOptions): Store {
  if (options.path !== ':memory:') ensurePrivateFile(options.path);
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  // Deleted rows and purged bodies are overwritten in the file, not left in free space (no extra I/O in FAST).
  db.pragma('secure_delete = FAST');
  // FULL by default: an acknowledged fact survives power loss too, not only a process crash.
  db.pragma(`synchronous = ${options.sync === 'normal' ? 'NORMAL' : 'FULL'}`);
  db.pragma('busy_timeout = 5000');
  // 16 MB of page cache (SQLite's default is 2 MB): the open conversations' rows, the outbox's head and the
  // indexes stay in memory instead of being read back from the WAL on every fact.
  db.pragma('cache_size = -16384');
  db.function(FACT_KEY_SQL_FUNCTION, { deterministic: true }, (key: unknown) => (typeof key === 'string' ? factKey(key) : key));
  migrate(db);
  // The migration has written, so -wal and -shm exist: created with the file's mode, tightened all the same.
  if (options.path !== ':memory:') for (const suffix of ['-wal', '-shm']) tightenIfPresent(`${options.path}${suffix}`);
  const checkpointer = options.path === ':memory:' ? undefined : startWalCheckpointer(db, options.path);
  // FULL's flush moves off the event loop (wal-sync.ts): every write below awaits `durable()` before it resolves.
  const walSync = options.sync !== 'normal' && options.path !== ':memory:' ? WalSync.open(`${options.path}-wal`) : undefined;
  if (walSync) db.pragma('synchronous = NORMAL');
  const durable = (): Promise<void> => (walSync ? walSync.durable() : Promise.resolve());
  const now = options.now ?? Date.now;
  const cache = new ConversationCache(options.cacheSize ?? 2_000);

  const CONVERSATION_COLUMNS = 'id, bot, source, state, clock_platform_at, clock_local_at';
  const LINE = "(status IN ('pending', 'inflight') OR (status = 'dead' AND blocking = 1))";
  const outboxColumns = db
    .prepare('SELECT name FROM pragma_table_info(?)')
    .pluck()
    .all('outbox')
    .filter((c): c is string => typeof c === 'string');
  const q = {
    seen: db.prepare('SELECT 1 FROM seen_facts WHERE dedupe_key = ?').pluck(),
    remember: db.prepare('INSERT INTO seen_facts (dedupe_key, conversation_id, seen_at) VALUES (?, ?, ?)'),
    alias: db.prepare('SELECT conversation_id FROM aliases WHERE platform_id = ?').pluck(),
    addAlias: db.prepare('INSERT OR REPLACE INTO aliases (platform_id, conversation_id) VALUES (?, ?)'),
    conversation: db.prepare(`SELECT ${CONVERSATION_COLUMNS} FROM conversations WHERE id = ?`),
    upsertConversation: db.prepare(
      `INSERT INTO conversations (id, bot, source, state, wake_at, closed_at, updated_at, created_at, clock_platform_at, clock_local_at)
       VALUES (@id, @bot, @source, @state, @wakeAt, @closedAt, @now, @now, @platformAt, @localAt)
       ON CONFLICT(id) DO UPDATE SET state = excluded.state, wake_at = excluded.wake_at, closed_at = COALESCE(conversations.closed_at, excluded.closed_at),
         updated_at = excluded.updated_at, clock_platform_at = excluded.clock_platform_at, clock_local_at = excluded.clock_local_at`,
    ),
    findRedial: db.prepare(
      `SELECT c.id, c.bot, c.source, c.state, c.clock_platform_at, c.clock_local_at FROM redial_index r JOIN conversations c ON c.id = r.conversation_id
       WHERE r.match_key = ? AND r.expires_at >= ? AND c.closed_at IS NULL`,
    ),
    putRedial: db.prepare('INSERT OR REPLACE INTO redial_index (match_key, conversation_id, expires_at) VALUES (?, ?, ?)'),
    clearRedial: db.prepare('DELETE FROM redial_index WHERE conversation_id = ?'),
    insertOutbox: db.prepare(
      `INSERT INTO outbox (conversation_id, bot, source, kind, label, event, body, ref, status, next_attempt_at, created_at, updated_at, fact_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)`,
    ),
    due: db.prepare('SELECT id, wake_at FROM conversations WHERE wake_at IS NOT NULL AND wake_at <= ? AND closed_at IS NULL ORDER BY wake_at LIMIT ?'),
    nextWake: db.prepare('SELECT MIN(wake_at) FROM conversations WHERE wake_at IS NOT NULL AND closed_at IS NULL').pluck(),
    open: db.prepare(`SELECT id, bot, source, state, updated_at, created_at FROM conversations WHERE closed_at IS NULL ORDER BY updated_at`),
    // The planner picks outbox_conversation and walks every row the conversation ever had (delivered ones
    // included) up to the head; the partial index of its line starts at the head. Same rows, half the time
    // (34 against 64-71 µs per head with 24 delivered rows before it; one head per hook call and more).
    head: db.prepare(`SELECT * FROM outbox INDEXED BY outbox_line WHERE conversation_id = ? AND ${LINE} AND id <= ? ORDER BY id LIMIT 1`),
    ready: db.prepare(
      `SELECT DISTINCT conversation_id FROM outbox WHERE status IN ('pending', 'inflight') AND next_attempt_at <= ? AND id <= ? LIMIT ?`,
    ).pluck(),
    maxOutboxId: db.prepare('SELECT MAX(id) FROM outbox').pluck(),
    inflight: db.prepare("UPDATE outbox SET status = 'inflight', attempts = attempts + 1, updated_at = ? WHERE id = ?"),
    setStatus: db.prepare(
      'UPDATE outbox SET status = ?, next_attempt_at = ?, last_status = ?, last_error = ?, blocking = ?, updated_at = ? WHERE id = ?',
    ),
    dead: db.prepare("SELECT * FROM outbox WHERE status = 'dead' ORDER BY id"),
    retryDeadOne: db.prepare(
      "UPDATE outbox SET status = 'pending', attempts = 0, blocking = 0, next_attempt_at = ?, created_at = ?, updated_at = ? WHERE id = ? AND status = 'dead'",
    ),
    retryDeadAll: db.prepare(
      "UPDATE outbox SET status = 'pending', attempts = 0, blocking = 0, next_attempt_at = ?, created_at = ?, updated_at = ? WHERE status = 'dead'",
    ),
    dropDead: db.prepare("DELETE FROM outbox WHERE id = ? AND status = 'dead'"),
    // A purge deletes the row and inserts it again with the short body, rather than UPDATE it: SQLite
    // rebalances a table page only when a delete leaves it two-thirds empty, never when an update shrinks a
    // row, so updated rows left every outbox page about 70% empty (a delivered call cost ~590 bytes of file
    // instead of ~120).
    takeDone: db.prepare("DELETE FROM outbox WHERE id = ? AND status = 'done' RETURNING *"),
    putBack: db.prepare(`INSERT INTO outbox (${outboxColumns.join(', ')}) VALUES (${outboxColumns.map((c) => `@${c}`).join(', ')})`),
    deadBefore: db.prepare("SELECT * FROM outbox WHERE status = 'dead' AND updated_at < ? ORDER BY updated_at, id LIMIT ?"),
    dropQueuedBehind: db.prepare("DELETE FROM outbox WHERE conversation_id = ? AND id > ? AND status = 'pending'"),
    aliasTarget: db.prepare('SELECT conversation_id FROM aliases WHERE platform_id = ?').pluck(),
    closedAt: db.prepare('SELECT closed_at FROM conversations WHERE id = ?').raw(),
    eraseSeen: db.prepare('DELETE FROM seen_facts WHERE conversation_id = ?'),
    eraseOutbox: db.prepare('DELETE FROM outbox WHERE conversation_id = ?'),
    eraseAliases: db.prepare('DELETE FROM aliases WHERE conversation_id = ? OR platform_id = ?'),
    eraseRedial: db.prepare('DELETE FROM redial_index WHERE conversation_id = ?'),
    outboxFor: db.prepare('SELECT * FROM outbox WHERE conversation_id = ? ORDER BY id'),
    closedBefore: db.prepare('SELECT id FROM conversations WHERE closed_at IS NOT NULL AND closed_at < ? LIMIT ?').pluck(),
    purgeSeen: db.prepare('DELETE FROM seen_facts WHERE conversation_id = ?'),
    purgeOutbox: db.prepare("DELETE FROM outbox WHERE conversation_id = ? AND status = 'done'"),
    purgeAliases: db.prepare('DELETE FROM aliases WHERE conversation_id = ?'),
    purgeConversation: db.prepare('DELETE FROM conversations WHERE id = ?'),
    countActive: db.prepare('SELECT COUNT(*), MIN(created_at) FROM conversations WHERE closed_at IS NULL').raw(),
    countOpen: db.prepare("SELECT COUNT(*), MIN(created_at) FROM outbox WHERE status IN ('pending', 'inflight')").raw(),
    countDead: db.prepare("SELECT COUNT(*) FROM outbox WHERE status = 'dead'").pluck(),
    expireRedial: db.prepare('DELETE FROM redial_index WHERE expires_at < ?'),
    lease: db.prepare('SELECT name, holder, epoch, expires_at FROM leases WHERE name = ?'),
    putLease: db.prepare(
      `INSERT INTO leases (name, holder, epoch, expires_at) VALUES (@name, @holder, 1, @expiresAt)
       ON CONFLICT(name) DO UPDATE SET holder = @holder, expires_at = @expiresAt,
         epoch = CASE WHEN leases.holder = @holder AND leases.expires_at >= @now THEN leases.epoch ELSE leases.epoch + 1 END
       WHERE leases.holder = @holder OR leases.expires_at < @now`,
    ),
    releaseLease: db.prepare('UPDATE leases SET expires_at = 0 WHERE name = ? AND holder = ? AND epoch = ?'),
    cursor: db.prepare('SELECT value FROM cursors WHERE name = ?').pluck(),
    setCursor: db.prepare('INSERT INTO cursors (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value'),
  };

  /** Writes of the running batch, visible to its later mutations; promoted to the cache once it commits. */
  let overlay = new Map<string, ConversationRecord>();
  let overlayAliases = new Map<string, string>();
  // Delivery sees an outbox row only once the commit that queued it is durable: a row must never be sent
  // while the fact that produced it could still be lost.
  const highestRow = (): number => {
    const v: unknown = q.maxOutboxId.get();
    return typeof v === 'number' ? v : 0;
  };
  let visibleRow = highestRow();
  let lastRow = visibleRow;

  const byId = (id: string): ConversationRecord | undefined => overlay.get(id) ?? cache.get(id) ?? remember(toConversation(q.conversation.get(id)));
  const remember = (c: ConversationRecord | undefined): ConversationRecord | undefined => {
    if (c) cache.set(c);
    return c;
  };

  const reader: IngestReader = {
    conversationFor(platformId) {
      const alias = overlayAliases.get(platformId) ?? q.alias.get(platformId);
      return byId(typeof alias === 'string' ? alias : platformId);
    },
    findRedial(keys, at) {
      for (const key of keys) {
        const found = toConversation(q.findRedial.get(key, at));
        if (found) return overlay.get(found.id) ?? found;
      }
      return undefined;
    },
  };

  /** Everything of a plan that can fail before a row is written: serialising its state and bodies. */
  interface Serialised {
    readonly state: string;
    readonly bodies: readonly string[];
  }
  const serialise = (plan: IngestPlan): Serialised => ({ state: serialiseState(plan.conversation.state), bodies: plan.outbox.map((row) => JSON.stringify(row.body)) });

  function writePlan(plan: IngestPlan, platformId: string | undefined, t: number, serialised: Serialised): void {
    const c = plan.conversation;
    q.upsertConversation.run({
      id: c.id,
      bot: c.bot,
      source: c.source,
      state: serialised.state,
      wakeAt: plan.wakeAt ?? null,
      closedAt: plan.closedAt ?? null,
      now: t,
      platformAt: c.clock?.platformAt ?? null,
      localAt: c.clock?.localAt ?? null,
    });
    overlay.set(c.id, c);
    if (plan.alias && platformId) {
      q.addAlias.run(platformId, plan.alias);
      overlayAliases.set(platformId, plan.alias);
    }
    if (plan.redial === 'clear') q.clearRedial.run(c.id);
    else if (plan.redial) for (const key of plan.redial.keys) q.putRedial.run(key, c.id, plan.redial.until);
    plan.outbox.forEach((row, i) => {
      const info = q.insertOutbox.run(c.id, c.bot, c.source, row.kind, row.label, row.event, serialised.bodies[i] ?? 'null', row.ref ?? null, t, t, t, row.factAt);
      lastRow = Number(info.lastInsertRowid);
    });
  }

  // Every decision, and the serialising of what it decided, is done before its mutation writes anything, so
  // one that throws leaves nothing to undo and is refused alone without a savepoint; a write that fails (disk
  // full, I/O) fails the whole batch.
  const applyOne = (m: Mutation, t: number): MutationResult => {
    let plan: IngestPlan | undefined;
    let serialised: Serialised;
    try {
      if (m.kind === 'tick') {
        const current = byId(m.conversationId);
        plan = current ? m.decide(current) : undefined;
        if (!plan) return { kind: 'unchanged' };
      } else {
        // One process per file (the run lock): no other holder's socket can feed this store, so fences hold.
        if (q.seen.get(factKey(m.dedupeKey)) !== undefined) return { kind: 'duplicate' };
        plan = m.decide(reader);
      }
      serialised = serialise(plan);
    } catch (err) {
      return { kind: 'failed', error: err instanceof Error ? err : new Error(String(err)) };
    }
    if (m.kind === 'fact') q.remember.run(factKey(m.dedupeKey), plan.conversation.id, m.at);
    writePlan(plan, m.kind === 'fact' ? m.platformConversationId : undefined, t, serialised);
    return { kind: 'applied', plan };
  };

  // Write transactions begin IMMEDIATE: one that read first could not wait for another writer (an operator
  // command beside the daemon) and would fail at once with SQLITE_BUSY instead of waiting the busy timeout.
  const applyBatch = db.transaction((batch: readonly Mutation[]): MutationResult[] => {
    const t = now();
    return batch.map((m) => applyOne(m, t));
  });

  const record = db.transaction((updates: readonly ClaimedUpdate[]): void => {
    for (const { update: u } of updates) {
      switch (u.status) {
        case 'inflight':
          q.inflight.run(u.at, u.id);
          break;
        case 'done':
          q.setStatus.run('done', u.at, u.httpStatus, null, 0, u.at, u.id);
          if (u.purgeBody) {
            const row: unknown = q.takeDone.get(u.id);
            if (typeof row === 'object' && row !== null) q.putBack.run({ ...row, body: PURGED_BODY });
          }
          break;
        case 'pending':
          q.setStatus.run('pending', u.nextAttemptAt, u.httpStatus ?? null, u.error, 0, u.at, u.id);
          break;
        case 'dead':
          q.setStatus.run('dead', u.at, u.httpStatus ?? null, u.reason, u.blocking ? 1 : 0, u.at, u.id);
          break;
      }
    }
  });

  const purge = db.transaction((before: number, limit: number): number => {
    const ids = q.closedBefore.all(before, limit).filter((id): id is string => typeof id === 'string');
    for (const id of ids) {
      q.purgeSeen.run(id);
      q.purgeOutbox.run(id);
      q.purgeAliases.run(id);
      q.clearRedial.run(id);
      q.purgeConversation.run(id);
      cache.delete(id);
    }
    q.expireRedial.run(before);
    return ids.length;
  });

  const expireDead = db.transaction((before: number, limit: number): ExpiredDeadLetter[] =>
    q.deadBefore.all(before, limit).map((raw) => {
      const r = toOutboxRow(raw);
      q.dropDead.run(r.id);
      const queuedRemoved = r.blocking ? q.dropQueuedBehind.run(r.conversationId, r.id).changes : 0;
      return { id: r.id, conversationId: r.conversationId, label: r.label, event: r.event, blocking: r.blocking === true, deadSince: r.deadSince ?? before, queuedRemoved };
    }),
  );

  const erase = db.transaction((given: string): ErasedConversation | undefined => {
    const own = tuple(q.closedAt.get(given));
    const target: unknown = own.length ? given : q.aliasTarget.get(given);
    const id = typeof target === 'string' ? target : given;
    const state = own.length ? own : tuple(q.closedAt.get(id));
    const removed = {
      facts: q.eraseSeen.run(id).changes,
      outbox: q.eraseOutbox.run(id).changes,
      aliases: q.eraseAliases.run(id, given).changes,
      redialKeys: q.eraseRedial.run(id).changes,
      conversations: q.purgeConversation.run(id).changes,
      claims: 0,
    };
    cache.delete(id);
    if (Object.values(removed).every((n) => n === 0)) return undefined;
    return { conversationId: id, removed, wasOpen: state.length > 0 && state[0] === null };
  });

  const acquire = db.transaction((name: string, holder: string, ttlMs: number): Lease | undefined => {
    const t = now();
    q.putLease.run({ name, holder, expiresAt: t + ttlMs, now: t });
    const r = asRow(q.lease.get(name));
    if (!r || str(r, 'holder') !== holder || num(r, 'expires_at') < t) return undefined;
    return { name, holder, epoch: num(r, 'epoch'), expiresAt: num(r, 'expires_at') };
  });

  /** Resolves with `value` once the commit just made is durable; its outbox rows then become visible. */
  const committed = async <T>(value: T): Promise<T> => {
    const upTo = lastRow;
    await durable();
    if (upTo > visibleRow) visibleRow = upTo;
    return value;
  };

  const claims = (ids: readonly string[]): DeliveryClaim[] => ids.map((conversationId) => ({ conversationId, fence: 0 }));

  const store: Store = {
    engine: 'sqlite',
    commitsInCallOrder: true,
    apply: async (batch) => {
      if (batch.length === 0) return [];
      let results: MutationResult[];
      try {
        results = applyBatch.immediate(batch);
        for (const c of overlay.values()) cache.set(c);
      } catch (err) {
        // The whole batch rolled back (disk full, I/O error): what was cached may be ahead of the file.
        cache.clear();
        throw err;
      } finally {
        overlay = new Map();
        overlayAliases = new Map();
      }
      return committed(results);
    },
    conversation: async (id) => cache.get(id) ?? toConversation(q.conversation.get(id)),
    openConversations: async (source) =>
      q.open
        .all()
        .map((raw): OpenConversation | undefined => {
          const r = asRow(raw);
          if (!r) return undefined;
          const state = parseState(str(r, 'state'));
          return {
            id: str(r, 'id'),
            bot: str(r, 'bot'),
            source: str(r, 'source'),
            platformIds: Object.keys(state.platforms),
            ...(state.experience ? { experience: state.experience } : {}),
            updatedAt: num(r, 'updated_at'),
            createdAt: optNum(r, 'created_at') ?? num(r, 'updated_at'),
          };
        })
        .filter((c): c is OpenConversation => c !== undefined && (source === undefined || c.source === source)),
    dueConversations: async (t, limit) =>
      q.due.all(t, limit).flatMap((raw) => {
        const r = asRow(raw);
        return r ? [{ id: str(r, 'id'), wakeAt: num(r, 'wake_at') }] : [];
      }),
    nextWake: async () => {
      const t: unknown = q.nextWake.get();
      return typeof t === 'number' ? t : undefined;
    },
    claim: async (ids) => claims(ids),
    release: async () => undefined,
    claimable: async (t, limit) => q.ready.all(t, visibleRow, limit).filter((id): id is string => typeof id === 'string'),
    head: async (id) => {
      const raw = q.head.get(id, visibleRow);
      return raw === undefined ? undefined : toOutboxRow(raw);
    },
    record: async (updates) => {
      if (updates.length === 0) return { refused: [] };
      record.immediate(updates);
      return committed({ refused: [] });
    },
    deadLetters: async () => q.dead.all().map(toOutboxRow),
    retryDead: async (id, t) => committed((id === 'all' ? q.retryDeadAll.run(t, t, t) : q.retryDeadOne.run(t, t, t, id)).changes),
    dropDead: async (id) => committed(q.dropDead.run(id).changes > 0),
    outboxFor: async (id) => q.outboxFor.all(id).map(toOutboxRow),
    acquireLease: async (name, holder, ttlMs) => committed(acquire.immediate(name, holder, ttlMs)),
    releaseLease: async (name, holder, epoch) => {
      q.releaseLease.run(name, holder, epoch);
      await committed(undefined);
    },
    cursor: async (name) => {
      const v: unknown = q.cursor.get(name);
      return typeof v === 'number' ? v : undefined;
    },
    setCursor: async (name, value) => {
      q.setCursor.run(name, value);
      await committed(undefined);
    },
    purgeClosed: async (before, limit) => committed(purge.immediate(before, limit)),
    expireDeadLetters: async (before, limit) => committed(expireDead.immediate(before, limit)),
    erase: async (id) => {
      // An erasure overwrites what it deletes (not only FAST's free-of-charge part), and leaves no copy in the
      // WAL once no reader holds it (the daemon running beside it may).
      db.pragma('secure_delete = ON');
      let result: ErasedConversation | undefined;
      try {
        result = erase.immediate(id);
      } finally {
        db.pragma('secure_delete = FAST');
      }
      await committed(undefined);
      if (result && options.path !== ':memory:') db.pragma('wal_checkpoint(TRUNCATE)');
      return result;
    },
    stats: async (): Promise<StoreStats> => {
      const [active, oldestActive] = tuple(q.countActive.get());
      const [depth, oldestPending] = tuple(q.countOpen.get());
      const dead: unknown = q.countDead.get();
      return {
        activeConversations: typeof active === 'number' ? active : 0,
        ...(typeof oldestActive === 'number' ? { oldestActiveAt: oldestActive } : {}),
        outboxDepth: typeof depth === 'number' ? depth : 0,
        ...(typeof oldestPending === 'number' ? { oldestPendingAt: oldestPending } : {}),
        deadLetters: typeof dead === 'number' ? dead : 0,
      };
    },
    writable: async () => {
      try {
        db.exec('BEGIN IMMEDIATE; ROLLBACK;');
        return true;
      } catch {
        return false;
      }
    },
    close: async () => {
      await checkpointer?.stop();
      if (db.open) db.close();
      walSync?.close();
    },
  };
  return store;
}
