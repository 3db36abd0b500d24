// Checkpoints happen off the event loop: with the main connection's automatic checkpoint off, the worker
// still moves committed pages from the WAL into the database file, so the WAL cannot grow for ever.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database, { type SqliteDatabase } from '../../src/store/sqlite-driver.js';
import { afterEach, describe, expect, it } from 'vitest';
import { startWalCheckpointer } from '../../src/store/wal-checkpointer.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function walDatabase(): { db: SqliteDatabase; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'wal-'));
  dirs.push(dir);
  const path = join(dir, 'db.sqlite');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (v TEXT)');
  return { db, path };
}

function writeMegabytes(db: SqliteDatabase, mb: number): void {
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  const row = 'x'.repeat(1000);
  db.transaction(() => {
    for (let i = 0; i < mb * 1000; i += 1) insert.run(row);
  })();
}

async function until(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

describe('WAL checkpointer', () => {
  it('turns the automatic checkpoint off and checkpoints from its worker instead', async () => {
    const { db, path } = walDatabase();
    const checkpointer = startWalCheckpointer(db, path, { intervalMs: 50 });
    try {
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
      writeMegabytes(db, 8);
      // The pages reach the database file although this connection never checkpoints (with the automatic
      // checkpoint off and no worker they would stay in the WAL, and the file at a few KB).
      expect(await until(() => statSync(path).size > 7_000_000, 5000)).toBe(true);
      expect(db.prepare('SELECT COUNT(*) FROM t').pluck().get()).toBe(8000);
    } finally {
      await checkpointer.stop();
      db.close();
    }
  });

  it('checkpoints what is left when stopped, without waiting for its next look', async () => {
    const { db, path } = walDatabase();
    // Its next look is an hour away: only the stop can move the pages.
    const checkpointer = startWalCheckpointer(db, path, { intervalMs: 3_600_000 });
    try {
      writeMegabytes(db, 2);
      expect(statSync(path).size).toBeLessThan(1_000_000);
      await checkpointer.stop();
      expect(statSync(path).size).toBeGreaterThan(1_500_000);
    } finally {
      await checkpointer.stop();
      db.close();
    }
  });
});
