// The SQLite store on its own: one transaction per fact, dedupe, retention purge, dead-letter handling.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initialState } from '../../src/core/conversation-state.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { IngestPlan } from '../../src/store/types.js';

const plan = (id: string, extra: Partial<IngestPlan> = {}): IngestPlan => ({
  conversation: { id, bot: 'default', source: 'test', state: initialState() },
  outbox: [{ kind: 'transfer', label: 'NA entry A', body: { conversationId: id }, factAt: 1 }],
  ...extra,
});

describe('sqlite store', () => {
  it('applies a fact once: a second ingest with the same key is a duplicate and writes nothing', () => {
    const store = openSqliteStore({ path: ':memory:' });
    expect(store.ingest('k1', 'c1', 1, () => plan('c1')).kind).toBe('applied');
    let decided = false;
    expect(store.ingest('k1', 'c1', 1, () => ((decided = true), plan('c1'))).kind).toBe('duplicate');
    expect(decided).toBe(false);
    expect(store.outboxFor('c1')).toHaveLength(1);
  });

  it('rolls the whole fact back when deciding fails: no dedupe key, no state, no rows', () => {
    const store = openSqliteStore({ path: ':memory:' });
    expect(() => store.ingest('k1', 'c1', 1, () => { throw new Error('boom'); })).toThrow('boom');
    expect(store.ingest('k1', 'c1', 1, () => plan('c1')).kind).toBe('applied');
  });

  it('survives a reopen (WAL file on disk) with state, outbox and aliases', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'store-')), 'bridge.sqlite');
    const a = openSqliteStore({ path });
    a.ingest('k1', 'c1', 1, () => plan('c1'));
    a.ingest('k2', 'c2', 2, (r) => ({ ...plan(r.conversationFor('c1')?.id ?? 'missing'), alias: 'c1' }));
    a.close();
    const b = openSqliteStore({ path });
    expect(b.conversation('c1')?.state.phase).toBe('waiting');
    expect(b.conversationsWithPending()).toEqual(['c1']);
    expect(b.outboxFor('c1')).toHaveLength(2);
    let seen: string | undefined;
    b.ingest('k3', 'c2', 3, (r) => { seen = r.conversationFor('c2')?.id; return plan('c1', { outbox: [] }); });
    expect(seen).toBe('c1');
    b.close();
  });

  it('finds an open redial window by key until it expires, and never for a closed conversation', () => {
    const store = openSqliteStore({ path: ':memory:' });
    store.ingest('k1', 'c1', 1, () => plan('c1', { redial: { keys: ['address:+1555'], until: 100 } }));
    store.ingest('k2', 'x', 2, (r) => {
      expect(r.findRedial(['address:+1555'], 50)?.id).toBe('c1');
      expect(r.findRedial(['address:+1555'], 101)).toBeUndefined();
      expect(r.findRedial(['address:+1999'], 50)).toBeUndefined();
      return plan('x', { outbox: [] });
    });
    store.ingest('k3', 'c1', 3, () => plan('c1', { outbox: [], closedAt: 3, redial: 'clear' }));
    store.ingest('k4', 'y', 4, (r) => {
      expect(r.findRedial(['address:+1555'], 50)).toBeUndefined();
      return plan('y', { outbox: [] });
    });
  });

  it('purges closed conversations past retention with their seen keys and delivered rows, keeping dead letters', () => {
    const store = openSqliteStore({ path: ':memory:' });
    store.ingest('k1', 'old', 1, () => plan('old', { closedAt: 1000 }));
    store.ingest('k2', 'new', 2, () => plan('new', { closedAt: 5000 }));
    store.ingest('k3', 'open', 3, () => plan('open'));
    const [oldRow] = store.outboxFor('old');
    store.markDone(oldRow!.id, 200, 1);
    const [newRow] = store.outboxFor('new');
    store.markDead(newRow!.id, 'rejected', 400, 1);
    expect(store.purgeClosed(2000)).toBe(1);
    expect(store.conversation('old')).toBeUndefined();
    expect(store.outboxFor('old')).toEqual([]);
    // The purged fact's key is forgotten: the same fact would start afresh (retention is the dedupe horizon).
    expect(store.ingest('k1', 'old', 1, () => plan('old', { outbox: [] })).kind).toBe('applied');
    expect(store.conversation('new')).toBeDefined();
    expect(store.conversation('open')).toBeDefined();
    expect(store.deadLetters()).toHaveLength(1);
  });

  it('puts dead letters back in line and drops them on request', () => {
    const store = openSqliteStore({ path: ':memory:' });
    store.ingest('k1', 'c1', 1, () => plan('c1'));
    const [row] = store.outboxFor('c1');
    store.markDead(row!.id, 'rejected', 400, 1);
    expect(store.stats()).toMatchObject({ deadLetters: 1, outboxDepth: 0 });
    expect(store.retryDead(row!.id, 10)).toBe(1);
    expect(store.nextOutbox('c1')).toMatchObject({ id: row!.id, status: 'pending', attempts: 0 });
    store.markDead(row!.id, 'rejected again', 400, 11);
    expect(store.dropDead(row!.id)).toBe(true);
    expect(store.deadLetters()).toEqual([]);
  });
});
