// What only the SQLite engine does beyond the contract: a private file, and rows it did not write itself (a
// corrupt file, a foreign writer) reported as such with STORE_CORRUPT_ROW rather than half-read.
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from '../../src/store/sqlite-driver.js';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { SQLITE_SCHEMA_VERSION } from '../../src/store/sqlite-schema.js';
import type { OutboxKind, Store } from '../../src/store/types.js';
import { fact, plan, record, row, T0 } from './contract.js';

let dir: string;
let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function open(): Promise<{ store: Store; path: string }> {
  dir = mkdtempSync(join(tmpdir(), 'sqlite-details-'));
  const path = join(dir, 'bridge.sqlite');
  store = await openSqliteStore({ path, now: () => T0 });
  return { store, path };
}

function tamper(path: string, sql: string): void {
  const db = new Database(path);
  db.exec(sql);
  db.close();
}

describe('SQLite store details', () => {
  it('creates its file readable by its owner only', async () => {
    const { path } = await open();
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('creates a missing data directory readable by its owner only, and tightens a file others could read', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-details-'));
    const nested = join(dir, 'data', 'bridge.sqlite');
    store = openSqliteStore({ path: nested, now: () => T0 });
    await store.close();
    expect(statSync(join(dir, 'data')).mode & 0o777).toBe(0o700);
    const loose = join(dir, 'loose.sqlite');
    writeFileSync(loose, '');
    chmodSync(loose, 0o644);
    store = openSqliteStore({ path: loose, now: () => T0 });
    expect(statSync(loose).mode & 0o777).toBe(0o600);
  });

  it('keeps its file in write-ahead-log mode, as every other connection to it sees', async () => {
    const { path } = await open();
    const other = new Database(path, { readonly: true });
    expect(other.pragma('journal_mode', { simple: true })).toBe('wal');
    other.close();
  });

  it('reads back rows of every kind and status', async () => {
    const { store: s } = await open();
    const kinds: OutboxKind[] = ['transfer', 'summary', 'end', 'message'];
    await s.apply([fact('k', 'c1', () => plan('c1', { outbox: kinds.map((kind) => row(kind, { kind })) }))]);
    const rows = await s.outboxFor('c1');
    expect(rows.map((r) => r.kind)).toEqual(kinds);
    const [claim] = await s.claim(['c1']);
    await s.record([
      { claim: claim!, update: { id: rows[0]!.id, status: 'done', httpStatus: 200, at: T0 } },
      { claim: claim!, update: { id: rows[1]!.id, status: 'dead', reason: 'no', blocking: false, at: T0 } },
      { claim: claim!, update: { id: rows[2]!.id, status: 'inflight', at: T0 } },
    ]);
    expect((await s.outboxFor('c1')).map((r) => r.status)).toEqual(['done', 'dead', 'inflight', 'pending']);
    const [pending] = (await s.outboxFor('c1')).slice(-1);
    expect(pending).not.toHaveProperty('lastError');
    expect(pending).not.toHaveProperty('lastStatus');
    expect(pending).not.toHaveProperty('ref');
  });

  it('a conversation stored without a platform clock reads back without one', async () => {
    const { store: s } = await open();
    await s.apply([fact('k', 'c1', () => ({ conversation: record('c1'), outbox: [] }))]);
    expect(await s.conversation('c1')).not.toHaveProperty('clock');
  });

  it('reads rows an older release left without a source or a creation time: no source, created when last updated', async () => {
    const { store: s, path } = await open();
    await s.apply([fact('k', 'c1', () => plan('c1'))]);
    await s.close();
    tamper(path, 'UPDATE outbox SET source = NULL; UPDATE conversations SET created_at = NULL');
    store = openSqliteStore({ path, now: () => T0 });
    expect((await store.outboxFor('c1'))[0]?.source).toBe('');
    expect(await store.openConversations()).toMatchObject([{ id: 'c1', createdAt: T0, updatedAt: T0 }]);
  });

  it('queues a row whose body is undefined as the JSON null', async () => {
    const { store: s } = await open();
    await s.apply([fact('k', 'c1', () => plan('c1', { outbox: [row('empty', { body: undefined })] }))]);
    expect((await s.outboxFor('c1'))[0]?.bodyJson).toBe('null');
  });

  it('delivered calls whose bodies are purged give their space back: the outbox file stays a fraction of the bodies', async () => {
    const { store: s, path } = await open();
    const body = { text: 'x'.repeat(400) };
    const n = 600;
    for (let i = 0; i < n; i++) await s.apply([fact(`k${i}`, `c${i}`, () => plan(`c${i}`, { outbox: [row(`entry c${i}`, { body })] }))]);
    for (let i = 0; i < n; i++) {
      const [claim] = await s.claim([`c${i}`]);
      const [r] = await s.outboxFor(`c${i}`);
      await s.record([{ claim: claim!, update: { id: r!.id, status: 'done', httpStatus: 200, at: T0, purgeBody: true } }]);
    }
    const rows = await s.outboxFor('c7');
    expect(rows).toMatchObject([{ status: 'done', bodyJson: 'null', label: 'entry c7' }]);
    const db = new Database(path, { readonly: true });
    const pages = Number(db.prepare("SELECT COUNT(*) FROM dbstat WHERE name = 'outbox'").pluck().get());
    db.close();
    // Each purged row is about 100 bytes: 600 of them fit in ~20 pages of 4 KB. Shrinking rows in place left
    // each page as sparse as the 400-byte bodies had made it (~70 pages).
    expect(pages).toBeLessThan(35);
  });

  it('keeps each dedupe key in 16 bytes however long it is, and still refuses the fact again', async () => {
    const { store: s, path } = await open();
    const key = `genesys:${'c'.repeat(36)}:${'p'.repeat(40)}:joined`;
    await s.apply([fact(key, 'c1', () => plan('c1'))]);
    expect((await s.apply([fact(key, 'c1', () => plan('c1'))]))[0]?.kind).toBe('duplicate');
    expect((await s.apply([fact(`${key}2`, 'c1', () => plan('c1'))]))[0]?.kind).toBe('applied');
    const db = new Database(path, { readonly: true });
    const lengths = db.prepare('SELECT length(dedupe_key) FROM seen_facts').pluck().all();
    db.close();
    expect(lengths).toEqual([16, 16]);
  });

  it('retrying one dead letter leaves the others dead', async () => {
    const { store: s } = await open();
    await s.apply([fact('k', 'c1', () => plan('c1', { outbox: [row('a'), row('b')] }))]);
    const [a, b] = await s.outboxFor('c1');
    const [claim] = await s.claim(['c1']);
    await s.record([
      { claim: claim!, update: { id: a!.id, status: 'dead', reason: 'x', blocking: true, at: T0 } },
      { claim: claim!, update: { id: b!.id, status: 'dead', reason: 'y', blocking: false, at: T0 } },
    ]);
    expect(await s.retryDead(b!.id, T0)).toBe(1);
    expect((await s.deadLetters()).map((r) => r.id)).toEqual([a!.id]);
  });

  it.each([
    ['an unknown kind', "UPDATE outbox SET kind = 'fax'", /^outbox row \d+ has kind fax, status pending$/],
    ['an unknown status', "UPDATE outbox SET status = 'lost'", /^outbox row \d+ has kind transfer, status lost$/],
    ['a label that is not text', 'UPDATE outbox SET label = NULL'.replace('NULL', 'X\'00\''), /^store row has no text in label$/],
    ['an attempt count that is not a number', "UPDATE outbox SET attempts = 'many'", /^store row has no number in attempts$/],
  ])('a row with %s is reported as corrupt, not half-read, saying what is wrong', async (_what, sql, message) => {
    const { store: s, path } = await open();
    await s.apply([fact('k', 'c1', () => plan('c1'))]);
    await s.close();
    tamper(path, sql);
    store = await openSqliteStore({ path, now: () => T0 });
    await expect(store.outboxFor('c1')).rejects.toMatchObject({ code: 'STORE_CORRUPT_ROW', message: expect.stringMatching(message) });
  });

  it('refuses a file a newer release wrote, saying which versions and what to do', async () => {
    const { store: s, path } = await open();
    await s.close();
    store = undefined;
    tamper(path, `INSERT INTO schema_migrations (version, applied_at) VALUES (${SQLITE_SCHEMA_VERSION + 1}, 0)`);
    await expect((async () => openSqliteStore({ path, now: () => T0 }))()).rejects.toMatchObject({
      name: 'StoreError',
      code: 'STORE_SCHEMA_TOO_NEW',
      message: expect.stringContaining(`the store's schema is version ${SQLITE_SCHEMA_VERSION + 1}, newer than this release knows (${SQLITE_SCHEMA_VERSION})`),
    });
  });
});
