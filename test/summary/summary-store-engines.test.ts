// The summary follow-up table behaves the same in the SQLite file and in the PostgreSQL schema.
import { describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../src/store/postgres.js';
import { openPostgresSummaryStore } from '../../src/summary/postgres-summary-store.js';
import { openSummaryStore, type SummaryStore } from '../../src/summary/summary-store.js';
import { PG_URL, dropSchema, freshSchema } from '../helpers/postgres.js';

async function behaves(summaries: SummaryStore): Promise<void> {
  const f = { conversationId: 'c1', bot: 'default', source: 'genesys', platformIds: ['p2', 'c1'], agentIdentity: 'user-A', nextAt: 100, deadlineAt: 1_000 };
  expect(await summaries.add(f, 10)).toBe(true);
  expect(await summaries.add(f, 11)).toBe(false);
  expect(await summaries.add({ ...f, conversationId: 'c0', nextAt: 50 }, 10)).toBe(true);
  expect((await summaries.open()).map((r) => r.conversationId)).toEqual(['c0', 'c1']);
  await summaries.pollAgain('c1', 200, 'HTTP 404', 20);
  expect(await summaries.get('c1')).toMatchObject({ status: 'polling', polls: 1, nextAt: 200, lastError: 'HTTP 404', platformIds: ['p2', 'c1'], agentIdentity: 'user-A' });
  await summaries.summaryFetched('c1', 'the summary', '2026-01-01T00:00:00Z', 'writing', 30);
  await summaries.writeAgain('c1', 300, 'HTTP 503', 31);
  expect(await summaries.get('c1')).toMatchObject({ status: 'writing', polls: 2, writeAttempts: 1, summary: 'the summary', summaryTime: '2026-01-01T00:00:00Z', lastError: 'HTTP 503' });
  await summaries.finish('c1', 'written', undefined, 40);
  await summaries.finish('c0', 'expired', 'no summary', 40);
  expect(await summaries.open()).toEqual([]);
  expect(await summaries.purgeFinished(41)).toBe(2);
  expect(await summaries.get('c1')).toBeUndefined();
  // Erasure (agentai-bridge erase) takes the row, summary text and all, whatever its status.
  await summaries.add(f, 50);
  await summaries.summaryFetched('c1', 'the summary', undefined, 'writing', 51);
  expect(await summaries.erase('c1')).toBe(1);
  expect(await summaries.get('c1')).toBeUndefined();
  expect(await summaries.erase('c1')).toBe(0);
}

describe('summary follow-up table', () => {
  it('in SQLite', async () => {
    const summaries = openSummaryStore(':memory:');
    try {
      await behaves(summaries);
    } finally {
      await summaries.close();
    }
  });

  it('in PostgreSQL, in the schema the store created', async () => {
    const schema = freshSchema('summary');
    const store = await openPostgresStore({ url: PG_URL, schema });
    const summaries = openPostgresSummaryStore({ url: PG_URL, schema });
    try {
      await behaves(summaries);
    } finally {
      await summaries.close();
      await store.close();
      await dropSchema(schema);
    }
  });
});
