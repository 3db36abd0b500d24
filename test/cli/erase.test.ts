// `agentai-bridge erase CONVERSATION_ID`: a data-subject request removes everything the bridge stored about
// one conversation (state, hook calls with their bodies, dead letters, summary), from the tables and from the
// file's bytes, and leaves the other conversations alone.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { adapterModules } from '../../adapters/index.js';
import { main } from '../../src/cli/main.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { openPostgresStore } from '../../src/store/postgres.js';
import { openSummaryStore } from '../../src/summary/summary-store.js';
import { openPostgresSummaryStore } from '../../src/summary/postgres-summary-store.js';
import { joined, said } from '../core/fact-builders.js';
import { bridgeEnv, LineCollector, startHarness } from '../helpers/harness.js';
import { seedRecord } from '../helpers/store-seed.js';
import { record, row } from '../store/contract.js';
import { PG_URL, dropSchema, freshSchema } from '../helpers/postgres.js';

const SECRET = 'my card number is 4111 1111 1111 1111';
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const ctxFor = (env: NodeJS.ProcessEnv) => ({ env, stdout: new LineCollector(), stderr: new LineCollector(), modules: adapterModules });

describe('erase CLI (SQLite, daemon stopped)', () => {
  it('removes every row of the conversation and its summary, overwrites the bytes, and says what it removed; exit 4 when nothing is stored', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'erase-'));
    dirs.push(dataDir);
    const h = await startHarness({}, { dataDir });
    try {
      // er-1's message is rejected: a dead letter that keeps its body (the customer's words).
      h.fake.inject({ status: 400, times: 1, match: (b) => JSON.stringify(b).includes('(er-1)') });
      for (const id of ['er-1', 'er-2']) {
        await h.bridge.pipeline.ingest({ ...joined(0, 'A'), conversationId: id });
        await h.bridge.pipeline.ingest({ ...said(1, 'USER', `${SECRET} (${id})`), conversationId: id });
      }
      await h.bridge.dispatcher.whenIdle();
      expect((await h.bridge.store.deadLetters()).map((r) => r.conversationId)).toEqual(['er-1']);
    } finally {
      await h.close();
    }
    const file = join(dataDir, 'bridge.sqlite');
    const summaries = openSummaryStore(file);
    await summaries.add({ conversationId: 'er-1', bot: 'default', source: 'test', platformIds: ['er-1'], nextAt: 0, deadlineAt: 1 }, 0);
    await summaries.summaryFetched('er-1', `summary: ${SECRET}`, undefined, 'stored', 1);
    await summaries.close();

    const fileBytes = (): Buffer => Buffer.concat([file, `${file}-wal`].flatMap((f) => { try { return [readFileSync(f)]; } catch { return []; } }));
    expect(fileBytes().includes(`${SECRET} (er-1)`)).toBe(true);
    expect(fileBytes().includes('summary: my card')).toBe(true);
    // A delivered body is purged from the bytes too (secure_delete), not only from the row.
    expect(fileBytes().includes('(er-2)')).toBe(false);

    const env = bridgeEnv('https://platform.kore.ai', dataDir);
    const ctx = ctxFor(env);
    expect(await main(['erase', 'er-1'], ctx)).toBe(0);
    const out = ctx.stdout.lines.join('\n');
    expect(out).toContain('erased conversation er-1');
    expect(out).toMatch(/1 conversation record/);
    expect(out).toMatch(/2 hook calls/);
    expect(out).toMatch(/1 summary follow-up/);
    expect(out).toContain('still open');

    const store = openSqliteStore({ path: file });
    try {
      expect(await store.conversation('er-1')).toBeUndefined();
      expect(await store.outboxFor('er-1')).toEqual([]);
      expect(await store.deadLetters()).toEqual([]);
      expect(await store.conversation('er-2')).toBeDefined();
      expect((await store.outboxFor('er-2')).length).toBe(2);
    } finally {
      await store.close();
    }
    const after = openSummaryStore(file);
    expect(await after.get('er-1')).toBeUndefined();
    await after.close();
    // Not only unreachable: gone from the file (and its WAL), not left in free pages.
    expect(fileBytes().includes(`${SECRET} (er-1)`)).toBe(false);
    expect(fileBytes().includes('summary: my card')).toBe(false);

    const again = ctxFor(env);
    expect(await main(['erase', 'er-1'], again)).toBe(4);
    expect(again.stdout.lines.join('\n')).toContain('nothing stored for conversation er-1');
    expect(await main(['erase'], ctxFor(env))).toBe(2);
    expect(await main(['erase', 'a', 'b'], ctxFor(env))).toBe(2);
  }, 20_000);
});

describe('erase CLI (PostgreSQL)', () => {
  it("erases a conversation from the cluster's schema, summary included, and reports JSON", async () => {
    const schema = freshSchema('erase');
    const replica = await openPostgresStore({ url: PG_URL, schema });
    const summaries = openPostgresSummaryStore({ url: PG_URL, schema });
    try {
      await seedRecord(replica, record('pg-er'), [row('NA entry A', { body: { text: SECRET } }), row('NA exit A')]);
      await seedRecord(replica, record('pg-keep'), [row('NA entry B')]);
      await summaries.add({ conversationId: 'pg-er', bot: 'default', source: 'test', platformIds: ['pg-er'], nextAt: 0, deadlineAt: 1 }, 0);
      const env = bridgeEnv('https://platform.kore.ai', '/nonexistent', { BRIDGE_STORE: 'postgres', BRIDGE_POSTGRES_URL: PG_URL, BRIDGE_POSTGRES_SCHEMA: schema });
      const ctx = ctxFor(env);
      expect(await main(['erase', 'pg-er', '--json'], ctx)).toBe(0);
      expect(JSON.parse(ctx.stdout.lines.join('\n'))).toEqual({
        conversationId: 'pg-er',
        erased: true,
        wasOpen: true,
        removed: { conversations: 1, facts: 1, outbox: 2, aliases: 0, redialKeys: 0, claims: 0, summaries: 1 },
      });
      expect(await replica.conversation('pg-er')).toBeUndefined();
      expect(await replica.outboxFor('pg-er')).toEqual([]);
      expect(await summaries.get('pg-er')).toBeUndefined();
      expect((await replica.outboxFor('pg-keep')).length).toBe(1);
      expect(await main(['erase', 'pg-er'], ctxFor(env))).toBe(4);
    } finally {
      await summaries.close();
      await replica.close();
      await dropSchema(schema);
    }
  });
});
