// Goal 6's daemon: `agentai-bridge run` exactly as the CLI starts it (startDaemon, every adapter module), in a
// process of its own started with --expose-gc so the heap can be measured after a full collection. It answers
// the parent over IPC: "measure" → {heapUsed, rss, sqliteBytes} (the SQLite file after a checkpoint, free
// pages not counted).
import { Writable } from 'node:stream';
import { join } from 'node:path';
import Database from '../src/store/sqlite-driver.js';
import { adapterModules } from '../adapters/index.js';
import { startDaemon } from '../src/cli/run.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc || !process.send) throw new Error('memory-child: run with --expose-gc and an IPC channel');
const silent = new Writable({ write: (_c, _e, done) => done() });
const handle = await startDaemon({ env: process.env, stdout: silent, stderr: process.stderr, modules: adapterModules }, { signals: false });
if (typeof handle === 'number') process.exit(handle);
if (!(await handle.ready)) process.exit(1);

function sqliteBytes(): number {
  const db = new Database(join(process.env.BRIDGE_DATA_DIR ?? '.', 'bridge.sqlite'));
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    const pages = Number(db.pragma('page_count', { simple: true })) - Number(db.pragma('freelist_count', { simple: true }));
    return pages * Number(db.pragma('page_size', { simple: true }));
  } finally {
    db.close();
  }
}

function measure(): { heapUsed: number; rss: number; sqliteBytes: number } {
  for (let i = 0; i < 3; i++) gc?.();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, rss: m.rss, sqliteBytes: sqliteBytes() };
}

process.on('message', (msg) => {
  if (msg === 'measure') process.send?.({ kind: 'measured', ...measure() });
  if (msg === 'stop') {
    handle.shutdown('bench done');
    void handle.done.then((code) => process.exit(code));
  }
});
process.send({ kind: 'ready' });
