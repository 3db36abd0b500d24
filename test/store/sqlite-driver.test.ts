// The SQLite driver this Node gets is one that runs on it: 13.x (Node-API 10) where it can load, 12.x below,
// and neither aborts the process when a worker thread holding prepared statements ends (what 12.x does on
// Node 24, and what the WAL checkpointer's worker would trigger).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import Database, { SQLITE_PACKAGES, sqliteDriver, sqlitePackageFor } from '../../src/store/sqlite-driver.js';

describe('sqlite driver', () => {
  it('picks 12.x below Node-API 10 (Node 20) and 13.x from it on (Node 22.14+, 24)', () => {
    expect(sqlitePackageFor('9')).toBe(SQLITE_PACKAGES.legacy);
    expect(sqlitePackageFor('10')).toBe(SQLITE_PACKAGES.current);
    expect(sqlitePackageFor('11')).toBe(SQLITE_PACKAGES.current);
    expect(sqlitePackageFor(undefined)).toBe(SQLITE_PACKAGES.current);
  });

  it(`loads the one for this Node (${process.version}) and runs SQL with it`, () => {
    expect(sqliteDriver.name).toBe(sqlitePackageFor(process.versions.napi));
    expect(sqliteDriver.path).toContain(`/node_modules/${sqliteDriver.name}/`);
    const db = new Database(':memory:');
    try {
      const row: unknown = db.prepare('SELECT 40 + 2 AS answer').get();
      expect(row).toEqual({ answer: 42 });
    } finally {
      db.close();
    }
  });

  it('survives worker threads that end while holding prepared statements', () => {
    // A child process, so an abort shows up as its signal instead of taking the test runner down.
    const script = `
      const { Worker } = require('node:worker_threads');
      const body = "const D = require(require('node:worker_threads').workerData); const db = new D(':memory:');" +
        "for (let i = 0; i < 3000; i++) db.prepare('SELECT ' + i).get();" +
        "require('node:worker_threads').parentPort.postMessage('ready'); setInterval(() => {}, 1000);";
      let ended = 0;
      const next = () => {
        const w = new Worker(body, { eval: true, workerData: process.argv[1] });
        w.on('message', () => void w.terminate());
        w.on('exit', () => { if (++ended < 6) next(); else console.log('workers ended: ' + ended); });
      };
      next();`;
    const run = spawnSync(process.execPath, ['-e', script, sqliteDriver.path], { encoding: 'utf8', timeout: 60_000 });
    expect({ signal: run.signal, status: run.status, stdout: run.stdout.trim() }).toEqual({ signal: null, status: 0, stdout: 'workers ended: 6' });
  });
});
