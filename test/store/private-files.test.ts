// The data directory and every file the bridge writes in it are the bridge user's alone: they hold what
// customers said. Checked by stat, whatever the umask left.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { lockDataDir } from '../../src/store/run-lock.js';
import { ensurePrivateDir } from '../../src/store/private-files.js';
import { openSummaryStore } from '../../src/summary/summary-store.js';
import { fact, plan } from './contract.js';

const mode = (path: string): number => statSync(path).mode & 0o777;

describe('data at rest: file modes', () => {
  let root: string;
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('creates the data dir 0700 and the store, its -wal and -shm, the lock, the pid file and the summary table 0600', async () => {
    root = mkdtempSync(join(tmpdir(), 'private-files-'));
    const dir = join(root, 'nested', 'data');
    const lock = lockDataDir(dir);
    const store = openSqliteStore({ path: join(dir, 'bridge.sqlite') });
    const summaries = openSummaryStore(join(dir, 'bridge.sqlite'));
    try {
      await store.apply([fact('k1', 'c1', () => plan('c1'))]);
      expect(mode(dir)).toBe(0o700);
      expect(mode(join(root, 'nested'))).toBe(0o700);
      for (const f of ['bridge.sqlite', 'bridge.sqlite-wal', 'bridge.sqlite-shm', 'bridge.lock', 'bridge.pid']) expect([f, mode(join(dir, f))]).toEqual([f, 0o600]);
    } finally {
      await summaries.close();
      await store.close();
      lock.release();
    }
  });

  it('tightens files an older release left readable by others', async () => {
    root = mkdtempSync(join(tmpdir(), 'private-files-'));
    const dir = join(root, 'data');
    mkdirSync(dir, { mode: 0o700 });
    for (const f of ['bridge.sqlite', 'bridge.pid', 'bridge.lock']) {
      writeFileSync(join(dir, f), '');
      chmodSync(join(dir, f), 0o644);
    }
    const lock = lockDataDir(dir);
    const store = openSqliteStore({ path: join(dir, 'bridge.sqlite') });
    try {
      for (const f of ['bridge.sqlite', 'bridge.pid', 'bridge.lock']) expect([f, mode(join(dir, f))]).toEqual([f, 0o600]);
    } finally {
      await store.close();
      lock.release();
    }
  });

  it('reports an existing data dir that group or others can enter, and leaves its mode to the operator', () => {
    root = mkdtempSync(join(tmpdir(), 'private-files-'));
    const dir = join(root, 'data');
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    expect(ensurePrivateDir(dir)).toEqual({ path: dir, created: false, mode: 0o755, open: true });
    expect(mode(dir)).toBe(0o755);
    chmodSync(dir, 0o700);
    expect(ensurePrivateDir(dir).open).toBe(false);
    const fresh = join(root, 'fresh');
    expect(ensurePrivateDir(fresh)).toEqual({ path: fresh, created: true, mode: 0o700, open: false });
  });
});
