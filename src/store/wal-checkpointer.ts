// WAL checkpoints copy committed pages into the database file and fsync it: tens of milliseconds, hundreds
// on a busy disk. better-sqlite3 is synchronous, so SQLite's automatic checkpoint (run inside whichever
// commit crosses wal_autocheckpoint pages) stalls the event loop: timers, delivery and signals wait. Here a
// worker thread with its own connection checkpoints instead (PASSIVE: it never blocks a writer), and the
// main connection's automatic checkpoint is turned off for as long as the worker runs.
import { Worker } from 'node:worker_threads';
import { sqliteDriver, type SqliteDatabase } from './sqlite-driver.js';

/** How often the worker looks at the WAL's size. */
const INTERVAL_MS = 1000;
/** SQLite's default for its automatic checkpoint: the worker's threshold, and restored if the worker cannot run. */
const AUTOCHECKPOINT_PAGES = 1000;

// Plain CommonJS evaluated in the worker: no build step or loader, the same in tests and in dist/.
const WORKER_SOURCE = `
const { statSync } = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
const threshold = workerData.thresholdPages * db.pragma('page_size', { simple: true });
const walSize = () => { try { return statSync(workerData.path + '-wal').size; } catch { return 0; } };
const checkpoint = () => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (err) { parentPort.postMessage({ error: String((err && err.message) || err) }); }
};
// As often as SQLite's own automatic checkpoint would (once the WAL holds that many pages), not more.
const timer = setInterval(() => { if (walSize() >= threshold) checkpoint(); }, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

export interface WalCheckpointer {
  stop(): Promise<void>;
}

export interface WalCheckpointerOptions {
  readonly intervalMs?: number;
  /** WAL pages that call for a checkpoint (SQLite's default for its automatic one). */
  readonly thresholdPages?: number;
  readonly onError?: (message: string) => void;
}

export function startWalCheckpointer(db: SqliteDatabase, path: string, options: WalCheckpointerOptions = {}): WalCheckpointer {
  const onError = options.onError ?? ((): void => undefined);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { driver: sqliteDriver.path, path, intervalMs: options.intervalMs ?? INTERVAL_MS, thresholdPages: options.thresholdPages ?? AUTOCHECKPOINT_PAGES },
  });
  worker.unref();
  db.pragma('wal_autocheckpoint = 0');
  let running = true;
  const fallBack = (message: string): void => {
    onError(message);
    if (running && db.open) db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    running = false;
  };
  worker.on('message', (m: unknown) => {
    if (typeof m === 'object' && m !== null && 'error' in m) onError(String(m.error));
  });
  worker.on('error', (err) => fallBack(err.message));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    stop: async () => {
      if (!running) return;
      running = false;
      // Unref'd, the worker would not keep the process alive until its last checkpoint: with nothing else
      // left (a finished replay), Node exited mid-await (exit code 13) once no other timer held it open.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
