// The store contract against the embedded SQLite store, plus what only SQLite has: a file the first release
// wrote, opened and upgraded in place.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from '../../src/store/sqlite-driver.js';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { SQLITE_SCHEMA_VERSION } from '../../src/store/sqlite-schema.js';
import { fact, plan, storeContract, T0, type StoreHarness } from './contract.js';

async function sqliteHarness(): Promise<StoreHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'store-contract-'));
  const path = join(dir, 'bridge.sqlite');
  let t = T0;
  return {
    open: async () => openSqliteStore({ path, now: () => t }),
    advance: (ms) => void (t += ms),
    now: () => t,
    markSchemaNewer: async () => {
      const db = new Database(path);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(SQLITE_SCHEMA_VERSION + 1, t);
      db.close();
    },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

storeContract('sqlite', sqliteHarness, { shared: false });

describe('sqlite store upgrade', () => {
  it('opens a file the first release wrote and upgrades it: conversations, aliases, dedupe keys and the delivery line carry over', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'store-release-1-'));
    const path = join(dir, 'bridge.sqlite');
    const old = new Database(path);
    old.exec(readFileSync(new URL('./fixtures/sqlite-release-1.sql', import.meta.url), 'utf8'));
    old.close();

    const store = openSqliteStore({ path, now: () => T0 + 5_000 });
    try {
      const conversation = await store.conversation('conv-1');
      expect(conversation?.state).toMatchObject({ phase: 'open', experience: 'voice', wakeAt: 1700000060000 });
      expect(await store.nextWake()).toBe(1700000060000);
      expect(await store.openConversations('genesys')).toEqual([
        { id: 'conv-1', source: 'genesys', bot: 'default', platformIds: ['conv-1', 'conv-2'], experience: 'voice', updatedAt: 1700000001000, createdAt: 1700000001000 },
      ]);
      // The first release's dead letters had exhausted their retries: they hold their conversation back.
      const [dead] = await store.deadLetters();
      expect(dead).toMatchObject({ label: 'message agent-a', event: 'message agent-a', source: 'genesys', blocking: true, lastStatus: 400 });
      expect((await store.head('conv-1'))?.id).toBe(dead?.id);
      expect(await store.retryDead('all', T0 + 5_000)).toBe(1);
      expect((await store.head('conv-1'))?.label).toBe('message agent-a');
      expect(await store.claimable(T0 + 5_000, 10)).toEqual(['conv-1']);

      const [duplicate] = await store.apply([fact('genesys:conv-1:agent-a:joined', 'conv-1', () => plan('conv-1'))]);
      expect(duplicate?.kind).toBe('duplicate');
      let routed: string | undefined;
      await store.apply([fact('k-new', 'conv-2', (r) => ((routed = r.conversationFor('conv-2')?.id), plan('conv-1', { outbox: [] })))]);
      expect(routed).toBe('conv-1');
      expect(await store.purgeClosed(T0, 10)).toBe(1);
      expect(await store.acquireLease('genesys', 'A', 1_000)).toMatchObject({ epoch: 1 });
    } finally {
      await store.close();
    }
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get()).toBe(SQLITE_SCHEMA_VERSION);
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
