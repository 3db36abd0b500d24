// The store contract against PostgreSQL (127.0.0.1:5432, database `test`), each test in a schema of its own
// that it drops afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../src/store/postgres.js';
import { POSTGRES_SCHEMA_VERSION } from '../../src/store/postgres-schema.js';
import { StoreError } from '../../src/store/errors.js';
import { fact, plan, record, row, storeContract, T0, type StoreHarness } from './contract.js';
import { seedRecord } from '../helpers/store-seed.js';
import { PG_URL, dropSchema, freshSchema } from '../helpers/postgres.js';

async function postgresHarness(): Promise<StoreHarness> {
  const schema = freshSchema('contract');
  let t = T0;
  let offset = 0;
  return {
    // A long claim TTL: renewal timers never fire within a test, so a claim lapses only when the test moves
    // the clock.
    open: async () => openPostgresStore({ url: PG_URL, schema, now: () => t, clockOffsetMs: () => offset, claimTtlMs: 60_000 }),
    advance: (ms) => {
      t += ms;
      offset += ms;
    },
    now: () => t,
    markSchemaNewer: async () => {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`INSERT INTO "${schema}".schema_migrations (version) VALUES ($1)`, [POSTGRES_SCHEMA_VERSION + 1]);
      await client.end();
    },
    cleanup: () => dropSchema(schema),
  };
}

storeContract('postgres', postgresHarness, { shared: true });

describe('postgres store writes', () => {
  it('fails only the mutation whose rows PostgreSQL refuses (a NUL in text), the rest of the batch commits', async () => {
    const h = await postgresHarness();
    const store = await h.open();
    try {
      const results = await store.apply([
        fact('k1', 'c1', () => plan('c1')),
        fact('k2', 'c2', () => plan('c2', { outbox: [row('bad\u0000label')] })),
        fact('k3', 'c1', (r) => plan('c1', { conversation: r.conversationFor('c1')!, outbox: [row('second')] })),
      ]);
      expect(results.map((r) => r.kind)).toEqual(['applied', 'failed', 'applied']);
      expect((await store.outboxFor('c1')).map((r) => r.label)).toEqual(['entry c1', 'second']);
      expect(await store.conversation('c2')).toBeUndefined();
      expect((await store.apply([fact('k2', 'c2', () => plan('c2'))]))[0]?.kind).toBe('applied');
    } finally {
      await store.close();
      await h.cleanup();
    }
  });
});

describe('postgres store wake-up hints', () => {
  it('tells the other processes when a lease or delivery claims are given up (LISTEN/NOTIFY)', async () => {
    const h = await postgresHarness();
    const [a, b] = [await h.open(), await h.open()];
    try {
      const heard: string[] = [];
      let wake: () => void = () => undefined;
      const stop = b.onHint?.((hint) => {
        heard.push(hint);
        wake();
      });
      expect(stop).toBeDefined();
      const next = () => new Promise<void>((resolve) => (wake = resolve));
      // The listening connection opens on the first listener; repeat the hint until it is heard.
      const lease = await a.acquireLease('subscription', 'A', 60_000);
      let heardLease = next();
      await a.releaseLease('subscription', 'A', lease!.epoch);
      for (let i = 0; i < 50 && !heard.includes('lease-released'); i++) {
        await Promise.race([heardLease, new Promise((r) => setTimeout(r, 100))]);
        if (!heard.includes('lease-released')) {
          const again = await a.acquireLease('subscription', 'A', 60_000);
          heardLease = next();
          await a.releaseLease('subscription', 'A', again!.epoch);
        }
      }
      expect(heard).toContain('lease-released');
      const heardClaims = next();
      await seedRecord(a, record('hinted'), [row('x')]);
      await a.release(await a.claim(['hinted']));
      await heardClaims;
      expect(heard).toContain('claims-released');
      stop?.();
    } finally {
      await a.close();
      await b.close();
      await h.cleanup();
    }
  });
});

describe('postgres store setup', () => {
  it('creates its schema when replicas start at the same moment, applying each migration once', async () => {
    const schema = freshSchema('migrate');
    try {
      const stores = await Promise.all(Array.from({ length: 4 }, () => openPostgresStore({ url: PG_URL, schema })));
      for (const s of stores) await s.close();
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      const { rows } = await client.query(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`);
      await client.end();
      expect(rows.map((r: { version: number }) => r.version)).toEqual(Array.from({ length: POSTGRES_SCHEMA_VERSION }, (_, i) => i + 1));
    } finally {
      await dropSchema(schema);
    }
  });

  it('fails naming BRIDGE_POSTGRES_URL, password masked, when the database cannot be reached', async () => {
    const secret = `s3cr3t-${randomBytes(4).toString('hex')}`;
    const err: unknown = await openPostgresStore({ url: `postgres://bridge:${secret}@127.0.0.1:1/test`, schema: 'x' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StoreError);
    const message = err instanceof Error ? err.message : '';
    expect(message).toContain('BRIDGE_POSTGRES_URL');
    expect(message).toContain('postgres://bridge:****@127.0.0.1:1/test');
    expect(message).not.toContain(secret);
  });
});
