// The store's small parts on their own: the run lock that keeps one process per data dir, the cache of
// decoded conversations, and where a configuration's store lives.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Database from '../../src/store/sqlite-driver.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { ConversationCache } from '../../src/store/conversation-cache.js';
import { openStore, sqlitePath } from '../../src/store/open.js';
import { lockDataDir } from '../../src/store/run-lock.js';
import { StoreError } from '../../src/store/errors.js';
import { startWalCheckpointer } from '../../src/store/wal-checkpointer.js';
import { record } from './contract.js';
import { PG_URL, dropSchema, freshSchema } from '../helpers/postgres.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'store-units-'));
  dirs.push(d);
  return d;
};

describe('run lock', () => {
  it('creates the data dir (owner only), writes its pid, and refuses a second holder naming that pid', () => {
    const dataDir = join(tempDir(), 'nested', 'data');
    const lock = lockDataDir(dataDir);
    try {
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      expect(readFileSync(join(dataDir, 'bridge.pid'), 'utf8')).toBe(`${process.pid}\n`);
      expect(statSync(join(dataDir, 'bridge.pid')).mode & 0o777).toBe(0o600);
      let refused: unknown;
      try {
        lockDataDir(dataDir);
      } catch (err) {
        refused = err;
      }
      expect(refused).toBeInstanceOf(StoreError);
      expect(refused).toMatchObject({
        code: 'STORE_LOCKED',
        message: `data dir ${dataDir} is in use by process ${process.pid} (another agentai-bridge run); one process per data dir (BRIDGE_DATA_DIR)`,
      });
    } finally {
      lock.release();
    }
  });

  it('refuses a second holder at once rather than waiting for the first to finish', () => {
    const dataDir = tempDir();
    const lock = lockDataDir(dataDir);
    try {
      const started = Date.now();
      expect(() => lockDataDir(dataDir)).toThrow(StoreError);
      // A wait on the lock (SQLite's busy timeout) would take seconds: a second run must fail immediately.
      expect(Date.now() - started).toBeLessThan(2_500);
    } finally {
      lock.release();
    }
  });

  it('is free again once released (release twice is harmless)', () => {
    const dataDir = tempDir();
    const first = lockDataDir(dataDir);
    first.release();
    first.release();
    const second = lockDataDir(dataDir);
    second.release();
  });

  it('names "another process" when the holder left no pid, or something that is not one', () => {
    const dataDir = tempDir();
    const lock = lockDataDir(dataDir);
    try {
      rmSync(join(dataDir, 'bridge.pid'));
      expect(() => lockDataDir(dataDir)).toThrow(/is in use by another process \(/);
      for (const garbage of ['pid 12\n', '12 13\n', 'x12\n', '12x\n']) {
        writeFileSync(join(dataDir, 'bridge.pid'), garbage);
        expect(() => lockDataDir(dataDir), garbage).toThrow(/is in use by another process \(/);
      }
    } finally {
      lock.release();
    }
  });

  it('keeps the SQLite error that refused the lock as the cause', () => {
    const dataDir = tempDir();
    const lock = lockDataDir(dataDir);
    try {
      expect(() => lockDataDir(dataDir)).toThrow(expect.objectContaining({ name: 'StoreError', cause: expect.objectContaining({ code: expect.stringMatching(/^SQLITE_/) }) }));
    } finally {
      lock.release();
    }
  });
});

describe('conversation cache', () => {
  it('gives back what was put in, forgets on delete and clear', () => {
    const cache = new ConversationCache(10);
    cache.set(record('a'));
    expect(cache.get('a')?.id).toBe('a');
    expect(cache.get('b')).toBeUndefined();
    cache.delete('a');
    expect(cache.get('a')).toBeUndefined();
    cache.set(record('b'));
    cache.clear();
    expect(cache.get('b')).toBeUndefined();
  });

  it('drops the least recently used beyond its capacity; reading or writing an entry makes it recent', () => {
    const cache = new ConversationCache(2);
    cache.set(record('a'));
    cache.set(record('b'));
    cache.get('a');
    cache.set(record('c'));
    expect([cache.get('a')?.id, cache.get('b')?.id, cache.get('c')?.id]).toEqual(['a', undefined, 'c']);
    cache.set({ ...record('a'), bot: 'other' });
    cache.set(record('d'));
    expect(cache.get('a')?.bot).toBe('other');
    expect(cache.get('c')).toBeUndefined();
  });

  it('gives a miss no room: looking up absent conversations evicts nothing', () => {
    const cache = new ConversationCache(2);
    cache.set(record('a'));
    cache.set(record('b'));
    for (const absent of ['x', 'y', 'z']) expect(cache.get(absent)).toBeUndefined();
    for (const id of ['c', 'd', 'e']) cache.set(record(id));
    expect(['a', 'b', 'c', 'd', 'e'].map((id) => cache.get(id)?.id)).toEqual([undefined, undefined, undefined, 'd', 'e']);
  });

  it('with no capacity keeps nothing, and an update replaces what it had', () => {
    const none = new ConversationCache(0);
    none.set(record('a'));
    expect(none.get('a')).toBeUndefined();
    const one = new ConversationCache(1);
    one.set(record('a'));
    one.set({ ...record('a'), bot: 'new' });
    expect(one.get('a')?.bot).toBe('new');
  });
});

describe('openStore', () => {
  it('opens the SQLite file in the configured data dir, or the one a command names', async () => {
    const configured = tempDir();
    const named = tempDir();
    const config = loadConfig({ env: { AGENTAI_URL: 'https://agentai.test', AGENTAI_BOT_ID: 'b', AGENTAI_CLIENT_ID: 'c', AGENTAI_CLIENT_SECRET: 's', BRIDGE_DATA_DIR: configured } });
    expect(sqlitePath(configured)).toBe(join(configured, 'bridge.sqlite'));
    const a = await openStore(config);
    expect(a.engine).toBe('sqlite');
    await a.close();
    expect(existsSync(join(configured, 'bridge.sqlite'))).toBe(true);
    const b = await openStore(config, { dataDir: named });
    await b.close();
    expect(existsSync(join(named, 'bridge.sqlite'))).toBe(true);
  });
});

describe('openStore with BRIDGE_STORE=postgres', () => {
  it('opens the configured PostgreSQL schema, but the SQLite file of a data dir a command names (replay)', async () => {
    const schema = freshSchema('open');
    const named = tempDir();
    const config = loadConfig({
      env: { AGENTAI_URL: 'https://agentai.test', AGENTAI_BOT_ID: 'b', AGENTAI_CLIENT_ID: 'c', AGENTAI_CLIENT_SECRET: 's', BRIDGE_DATA_DIR: tempDir(), BRIDGE_STORE: 'postgres', BRIDGE_POSTGRES_URL: PG_URL, BRIDGE_POSTGRES_SCHEMA: schema },
    });
    try {
      const shared = await openStore(config, { holder: 'units-test' });
      expect(shared.engine).toBe('postgres');
      await shared.close();
      const scratch = await openStore(config, { dataDir: named });
      expect(scratch.engine).toBe('sqlite');
      await scratch.close();
      expect(existsSync(join(named, 'bridge.sqlite'))).toBe(true);
    } finally {
      await dropSchema(schema);
    }
  });
});

describe('WAL checkpointer when its worker cannot run', () => {
  it('says why and gives the main connection its automatic checkpoint back; stopping it then is harmless', async () => {
    const path = join(tempDir(), 'db.sqlite');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    const errors: string[] = [];
    // The worker opens its own connection: a path in a directory that does not exist fails it.
    const checkpointer = startWalCheckpointer(db, join(path, 'missing', 'db.sqlite'), { onError: (m) => errors.push(m) });
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    for (let i = 0; i < 500 && errors.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(errors).toHaveLength(1);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    await checkpointer.stop();
    await checkpointer.stop();
    db.close();
  });
});
