// The WAL checkpointer's stop, in a process of its own: a finished replay must exit 0 after the last checkpoint.
// Apart from the other checkpointer tests because it runs the built module (dist/), which mutation runs lack.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('WAL checkpointer in a process of its own', () => {
  it('keeps the process alive until its last checkpoint when nothing else does (a finished replay exits 0)', () => {
    // The built module in a process of its own: the worker is unref'd while it runs, and a stop awaited with no
    // other handle left used to end the process mid-await (exit code 13, the last checkpoint cut short).
    const dir = mkdtempSync(join(tmpdir(), 'wal-'));
    dirs.push(dir);
    const built = fileURLToPath(new URL('../../dist/src/store/wal-checkpointer.js', import.meta.url));
    const driver = fileURLToPath(new URL('../../dist/src/store/sqlite-driver.js', import.meta.url));
    const script = `
      import Database from ${JSON.stringify(driver)};
      import { startWalCheckpointer } from ${JSON.stringify(built)};
      const db = new Database(${JSON.stringify(join(dir, 'db.sqlite'))});
      db.pragma('journal_mode = WAL');
      db.exec('CREATE TABLE t (v TEXT)');
      const checkpointer = startWalCheckpointer(db, ${JSON.stringify(join(dir, 'db.sqlite'))}, { intervalMs: 3_600_000 });
      db.prepare('INSERT INTO t (v) VALUES (?)').run('x');
      await checkpointer.stop();
      db.close();
      console.log('stopped');
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('../..', import.meta.url)), encoding: 'utf8', timeout: 20_000 });
    expect({ status: r.status, stdout: r.stdout.trim() }).toEqual({ status: 0, stdout: 'stopped' });
  });
});
