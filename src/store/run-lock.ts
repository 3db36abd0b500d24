// One writer per data directory: `run` holds an exclusive SQLite lock on a small file beside the store for as
// long as it lives. The operating system drops the lock when the process dies (even by SIGKILL), so there is
// never a stale lock to clean up; a second `run` on the same directory fails at once, naming the holder's pid.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from './sqlite-driver.js';
import { StoreError } from './errors.js';
import { ensurePrivateFile, PRIVATE_FILE_MODE } from './private-files.js';

export interface RunLock {
  release(): void;
}

export function lockDataDir(dataDir: string): RunLock {
  const lockPath = join(dataDir, 'bridge.lock');
  const pidPath = join(dataDir, 'bridge.pid');
  ensurePrivateFile(lockPath);
  const db = new Database(lockPath);
  try {
    db.pragma('busy_timeout = 0');
    db.pragma('journal_mode = DELETE');
    db.pragma('locking_mode = EXCLUSIVE');
    // The first write takes the exclusive lock; in EXCLUSIVE locking mode it is kept until the connection closes.
    db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER); DELETE FROM holder;');
    db.prepare('INSERT INTO holder (pid) VALUES (?)').run(process.pid);
  } catch (err) {
    db.close();
    let holder = 'another process';
    try {
      const pid = readFileSync(pidPath, 'utf8').trim();
      if (/^\d+$/.test(pid)) holder = `process ${pid}`;
    } catch {
      // no pid file: say so generically
    }
    throw new StoreError('STORE_LOCKED', `data dir ${dataDir} is in use by ${holder} (another agentai-bridge run); one process per data dir (BRIDGE_DATA_DIR)`, {
      cause: err,
    });
  }
  writeFileSync(pidPath, `${process.pid}\n`, { mode: PRIVATE_FILE_MODE });
  // The mode above applies only when the file is new: a pid file an older release left 0644 is tightened.
  chmodSync(pidPath, PRIVATE_FILE_MODE);
  return {
    release: () => {
      if (db.open) db.close();
    },
  };
}
