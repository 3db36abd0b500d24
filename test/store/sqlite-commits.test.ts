// How the SQLite store's commits behave as a user of the bridge sees them: a queued row is offered for delivery
// only once its commit is durable, a write the database refuses fails the whole batch and leaves no trace
// (not even in what later batches read), another process briefly holding the write lock is waited for at open, and a
// closed store says it cannot write.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database, { sqliteDriver } from '../../src/store/sqlite-driver.js';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStoreOptions } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/types.js';
import { fact, plan, record, row, T0 } from './contract.js';

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function fileStore(options: Partial<SqliteStoreOptions> = {}): { store: Store; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sqlite-commits-'));
  dirs.push(dir);
  const path = join(dir, 'bridge.sqlite');
  const store = openSqliteStore({ path, now: () => T0, ...options });
  stores.push(store);
  return { store, path };
}

/**
 * Another process (an operator command, a backup) in a write transaction for `ms`: resolves once it holds the
 * write lock, with a promise of its end.
 */
async function holdWriteLock(path: string, ms: number): Promise<{ readonly exited: Promise<unknown> }> {
  const holder = new Worker(
    `
    const { parentPort, workerData } = require('node:worker_threads');
    const Database = require(workerData.driver);
    const db = new Database(workerData.path);
    db.exec('BEGIN IMMEDIATE');
    parentPort.postMessage('locked');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.ms);
    db.exec('COMMIT');
    db.close();
    `,
    { eval: true, workerData: { driver: sqliteDriver.path, path, ms } },
  );
  const exited = new Promise((resolve) => holder.once('exit', resolve));
  await new Promise((resolve) => holder.once('message', resolve));
  // In an object: an async function returning the promise itself would wait for it.
  return { exited };
}

describe('SQLite store commits', () => {
  it.each(['full', 'normal'] as const)('offers a queued row for delivery only once its commit is durable (sync %s)', async (sync) => {
    const { store } = fileStore({ sync });
    const applying = store.apply([fact('k1', 'c1', () => plan('c1'))]);
    // The batch is written (the call returned) but not yet acknowledged: delivery must not see its row. The
    // reads run as they are called, before anything else gets a turn.
    const writtenEarly = store.outboxFor('c1');
    const claimableEarly = store.claimable(T0, 10);
    const headEarly = store.head('c1');
    expect(await writtenEarly).toHaveLength(1);
    expect(await claimableEarly).toEqual([]);
    expect(await headEarly).toBeUndefined();
    expect((await applying).map((r) => r.kind)).toEqual(['applied']);
    expect(await store.claimable(T0, 10)).toEqual(['c1']);
    expect((await store.head('c1'))?.label).toBe('entry c1');
  });

  it('acknowledges batches in the order they were applied, as it tells the pipeline', async () => {
    const { store } = fileStore();
    expect(store.commitsInCallOrder).toBe(true);
    const order: string[] = [];
    await Promise.all(['b1', 'b2', 'b3'].map((id) => store.apply([fact(id, id, () => plan(id))]).then(() => order.push(id))));
    expect(order).toEqual(['b1', 'b2', 'b3']);
  });

  it('answers an empty batch with no results', async () => {
    const { store } = fileStore();
    expect(await store.apply([])).toEqual([]);
  });

  it('fails the whole batch when the database refuses a write: nothing of it is kept or seen by the next batch, and its keys stay unused', async () => {
    const { store, path } = fileStore();
    await store.apply([fact('k0', 'c1', () => plan('c1', { conversation: record('c1', { phase: 'waiting' }) }))]);
    // Stands in for a full disk or an I/O error: the database itself refuses one row.
    const other = new Database(path);
    other.exec("CREATE TRIGGER refuse BEFORE INSERT ON outbox WHEN NEW.label = 'refused' BEGIN SELECT RAISE(ABORT, 'disk full'); END;");
    other.close();
    await expect(
      store.apply([
        fact('k1', 'c1', () => plan('c1', { conversation: record('c1', { phase: 'open' }), outbox: [row('accepted')] })),
        fact('k2', 'c2', () => plan('c2', { outbox: [row('refused')] })),
      ]),
    ).rejects.toThrow('disk full');
    expect((await store.conversation('c1'))?.state.phase).toBe('waiting');
    expect(await store.conversation('c2')).toBeUndefined();
    expect((await store.outboxFor('c1')).map((r) => r.label)).toEqual(['entry c1']);
    let phaseSeen: string | undefined;
    const results = await store.apply([
      fact('k1', 'c1', (r) => ((phaseSeen = r.conversationFor('c1')?.state.phase), plan('c1', { outbox: [] }))),
      fact('k2', 'c2', () => plan('c2', { outbox: [] })),
    ]);
    expect(results.map((r) => r.kind)).toEqual(['applied', 'applied']);
    expect(phaseSeen).toBe('waiting');
  });

  it('reports a decision that throws something other than an Error as a failed mutation with that text', async () => {
    const { store } = fileStore();
    const [result] = await store.apply([
      fact('k1', 'c1', () => {
        // What a careless decide could do.
        throw 'not an Error';
      }),
    ]);
    expect(result?.kind).toBe('failed');
    expect(result?.kind === 'failed' ? [result.error instanceof Error, result.error.message] : []).toEqual([true, 'not an Error']);
  });

  it('waits for another process that holds the write lock for a moment instead of failing to open', async () => {
    const { store: first, path } = fileStore();
    await first.apply([fact('k0', 'c0', () => plan('c0'))]);
    await first.close();
    const { exited } = await holdWriteLock(path, 300);
    const store = openSqliteStore({ path, now: () => T0 });
    stores.push(store);
    await exited;
    expect((await store.apply([fact('k1', 'c1', () => plan('c1'))])).map((r) => r.kind)).toEqual(['applied']);
    expect(await store.outboxFor('c0')).toHaveLength(1);
  });

  it('waits for another process holding the write lock while it runs, instead of failing the batch', async () => {
    // An operator command (dead-letters retry, erase) writes beside the running daemon: the daemon's batch must
    // wait for the busy timeout, not fail at once because its transaction read before it asked to write.
    const { store, path } = fileStore();
    await store.apply([fact('k0', 'c0', () => plan('c0'))]);
    const { exited } = await holdWriteLock(path, 300);
    const results = await store.apply([fact('k1', 'c1', () => plan('c1'))]);
    await exited;
    expect(results.map((r) => r.kind)).toEqual(['applied']);
    expect(await store.outboxFor('c1')).toHaveLength(1);
  });

  it('says it cannot write once closed; closing twice is harmless', async () => {
    const { store } = fileStore();
    expect(await store.writable()).toBe(true);
    await store.close();
    expect(await store.writable()).toBe(false);
    await store.close();
  });

  it('keeps an in-memory store (tests) entirely in memory: it works, and leaves no file behind', async () => {
    const cwd = process.cwd();
    const store = openSqliteStore({ path: ':memory:', now: () => T0 });
    stores.push(store);
    expect((await store.apply([fact('k1', 'c1', () => plan('c1'))])).map((r) => r.kind)).toEqual(['applied']);
    expect(await store.claimable(T0, 10)).toEqual(['c1']);
    expect(existsSync(join(cwd, ':memory:'))).toBe(false);
    expect(existsSync(join(cwd, ':memory:-wal'))).toBe(false);
  });
});
