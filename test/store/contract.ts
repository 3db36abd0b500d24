// The behaviour every Store engine must show, run against SQLite and PostgreSQL alike (sqlite.test.ts,
// postgres.test.ts). A harness opens stores on one backing database and owns both clocks: the bridge's (the
// `now` given to the store) and the store's own (leases and claims; the database's for PostgreSQL), so nothing
// here sleeps.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { initialState, type ConversationState } from '../../src/core/conversation-state.js';
import { StoreError } from '../../src/store/errors.js';
import { PURGED_BODY, type ConversationRecord, type FactMutation, type IngestPlan, type IngestReader, type NewOutboxRow, type OutboxRow, type Store, type TickMutation } from '../../src/store/types.js';

export interface StoreHarness {
  /** A store on the harness's database; several calls give several connections (processes) to the same data. */
  open(): Promise<Store>;
  /** Moves the bridge clock and the store's clock forward together. */
  advance(ms: number): void;
  now(): number;
  /** Marks the database as written by a release newer than this code. */
  markSchemaNewer(): Promise<void>;
  /** Drops what the harness created. */
  cleanup(): Promise<void>;
}

export interface ContractOptions {
  /**
   * The engine is shared by several processes (PostgreSQL): delivery claims exclude each other and fences are
   * checked. SQLite has one process per file (the run lock), so its claims and fences never conflict.
   */
  readonly shared: boolean;
}

export const T0 = 1_700_000_000_000;

export function state(patch: Partial<ConversationState> = {}): ConversationState {
  return { ...initialState(), ...patch };
}

export function record(id: string, patch: Partial<ConversationState> = {}, source = 'test'): ConversationRecord {
  return { id, bot: 'default', source, state: state({ platforms: { [id]: { ended: false } }, ...patch }) };
}

export function row(label: string, extra: Partial<NewOutboxRow> = {}): NewOutboxRow {
  return { kind: 'transfer', label, event: label, body: { label }, factAt: T0, ...extra };
}

export function plan(id: string, extra: Partial<IngestPlan> = {}): IngestPlan {
  return { conversation: record(id), outbox: [row(`entry ${id}`)], ...extra };
}

export function fact(dedupeKey: string, platformConversationId: string, decide: (r: IngestReader) => IngestPlan, extra: Partial<FactMutation> = {}): FactMutation {
  return { kind: 'fact', dedupeKey, platformConversationId, at: T0, redialKeys: [], decide, ...extra };
}

export function tick(conversationId: string, decide: TickMutation['decide']): TickMutation {
  return { kind: 'tick', conversationId, decide };
}

const ids = (rows: readonly OutboxRow[]): number[] => rows.map((r) => r.id);

export function storeContract(engine: string, makeHarness: () => Promise<StoreHarness>, options: ContractOptions): void {
  describe(`${engine} store contract`, () => {
    let h: StoreHarness;
    let store: Store;
    const opened: Store[] = [];
    const open = async (): Promise<Store> => {
      const s = await h.open();
      opened.push(s);
      return s;
    };
    const reopen = async (): Promise<Store> => {
      await store.close();
      store = await open();
      return store;
    };
    const one = async (m: FactMutation | TickMutation, s: Store = store) => {
      const [result] = await s.apply([m]);
      if (!result) throw new Error('no result');
      return result;
    };
    /** Seeds conversation `id` with `labels.length` outbox rows and returns them in order. */
    const seed = async (id: string, labels: readonly string[], extra: Partial<IngestPlan> = {}): Promise<OutboxRow[]> => {
      await one(fact(`seed-${id}`, id, () => plan(id, { outbox: labels.map((l) => row(l)), ...extra })));
      return store.outboxFor(id);
    };

    beforeEach(async () => {
      h = await makeHarness();
      store = await open();
    });
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
      await h.cleanup();
    });

    describe('apply', () => {
      it('applies a fact once: the same dedupe key again is a duplicate, not decided, and writes nothing', async () => {
        expect((await one(fact('k1', 'c1', () => plan('c1')))).kind).toBe('applied');
        let decided = false;
        const again = await one(fact('k1', 'c1', () => ((decided = true), plan('c1'))));
        expect(again.kind).toBe('duplicate');
        expect(decided).toBe(false);
        expect(await store.outboxFor('c1')).toHaveLength(1);
      });

      it('treats a repeated key within one batch as a duplicate too', async () => {
        const results = await store.apply([fact('k1', 'c1', () => plan('c1')), fact('k1', 'c1', () => plan('c1'))]);
        expect(results.map((r) => r.kind)).toEqual(['applied', 'duplicate']);
        expect(await store.outboxFor('c1')).toHaveLength(1);
      });

      it('rolls back a mutation whose decision throws, alone: the rest of the batch commits and its key stays unused', async () => {
        const results = await store.apply([
          fact('k1', 'c1', () => plan('c1')),
          fact('k2', 'c2', () => {
            throw new Error('boom');
          }),
          fact('k3', 'c3', () => plan('c3')),
        ]);
        expect(results.map((r) => r.kind)).toEqual(['applied', 'failed', 'applied']);
        const failed = results[1];
        expect(failed?.kind === 'failed' ? failed.error.message : '').toBe('boom');
        expect(await store.conversation('c2')).toBeUndefined();
        expect(await store.outboxFor('c2')).toEqual([]);
        expect(await store.conversation('c3')).toBeDefined();
        expect((await one(fact('k2', 'c2', () => plan('c2')))).kind).toBe('applied');
      });

      it('rolls back what a failing mutation had written, and later mutations of the batch do not see it', async () => {
        // A body that cannot be serialised fails while the plan is written, after the conversation row was.
        const unwritable = row('bad', { body: { n: 1n } });
        let goneAtThird: boolean | undefined;
        const results = await store.apply([
          fact('k1', 'c1', () => plan('c1', { conversation: record('c1', { phase: 'open' }) })),
          fact('k2', 'c1', () => plan('c1', { conversation: record('c1', { phase: 'open', customerGone: true }), outbox: [unwritable] })),
          fact('k3', 'c1', (r) => {
            goneAtThird = r.conversationFor('c1')?.state.customerGone;
            return plan('c1', { conversation: record('c1', { phase: 'open' }), outbox: [row('third')] });
          }),
        ]);
        expect(results.map((r) => r.kind)).toEqual(['applied', 'failed', 'applied']);
        expect(goneAtThird).toBe(false);
        expect((await store.conversation('c1'))?.state).toMatchObject({ phase: 'open', customerGone: false });
        expect((await store.outboxFor('c1')).map((r) => r.label)).toEqual(['entry c1', 'third']);
        expect((await one(fact('k2', 'c1', () => plan('c1', { outbox: [] })))).kind).toBe('applied');
      });

      it('lets later mutations of a batch see what earlier ones wrote: state and aliases', async () => {
        const seen: (string | undefined)[] = [];
        const results = await store.apply([
          fact('k1', 'c1', () => plan('c1', { conversation: record('c1', { phase: 'open' }) })),
          fact('k2', 'c1', (r) => {
            seen.push(r.conversationFor('c1')?.state.phase);
            return plan('c1', { conversation: record('c1', { phase: 'open', customerGone: true }), outbox: [row('second')] });
          }),
          fact('k3', 'c2', (r) => {
            seen.push(r.conversationFor('c2')?.id);
            return { ...plan('c1', { conversation: record('c1', { phase: 'open', customerGone: true }), outbox: [] }), alias: 'c1' };
          }),
          fact('k4', 'c2', (r) => {
            seen.push(r.conversationFor('c2')?.id);
            return plan('c1', { outbox: [], conversation: record('c1', { phase: 'closed' }), closedAt: T0 });
          }),
        ]);
        expect(results.map((r) => r.kind)).toEqual(['applied', 'applied', 'applied', 'applied']);
        expect(seen).toEqual(['open', undefined, 'c1']);
        expect((await store.outboxFor('c1')).map((r) => r.label)).toEqual(['entry c1', 'second']);
        expect((await store.conversation('c1'))?.state.phase).toBe('closed');
      });

      it('routes an aliased platform conversation to its Agent AI conversation, across a reopen', async () => {
        // A redial placed as a new platform conversation: found by its key, then routed by the alias.
        const keys = ['address:+1444'];
        await one(fact('k1', 'c1', () => plan('c1', { redial: { keys, until: T0 } })));
        await one(fact('k2', 'c2', (r) => ({ ...plan(r.findRedial(keys, T0)?.id ?? 'missing'), alias: 'c1' }), { redialKeys: keys }));
        await reopen();
        expect((await store.conversation('c1'))?.state.phase).toBe('waiting');
        expect(await store.outboxFor('c1')).toHaveLength(2);
        let seen: string | undefined;
        await one(fact('k3', 'c2', (r) => ((seen = r.conversationFor('c2')?.id), plan('c1', { outbox: [] }))));
        expect(seen).toBe('c1');
        expect(await store.conversation('c2')).toBeUndefined();
      });

      it('finds an open redial window by key until it expires, and never for a closed conversation', async () => {
        const keys = ['address:+1555'];
        await one(fact('k1', 'c1', () => plan('c1', { redial: { keys, until: 100 } })));
        const found: (string | undefined)[] = [];
        await one(
          fact(
            'k2',
            'x',
            (r) => {
              found.push(r.findRedial(keys, 50)?.id, r.findRedial(keys, 100)?.id, r.findRedial(keys, 101)?.id, r.findRedial(['address:+1999'], 50)?.id);
              return plan('x', { outbox: [] });
            },
            { redialKeys: [...keys, 'address:+1999'] },
          ),
        );
        expect(found).toEqual(['c1', 'c1', undefined, undefined]);
        await one(fact('k3', 'c1', () => plan('c1', { outbox: [], closedAt: T0, redial: 'clear' })));
        let after: string | undefined = 'unset';
        await one(fact('k4', 'y', (r) => ((after = r.findRedial(keys, 50)?.id), plan('y', { outbox: [] })), { redialKeys: keys }));
        expect(after).toBeUndefined();
      });

      it('does not offer a closed conversation for redial even while its keys are still indexed', async () => {
        const keys = ['address:+1777'];
        await one(fact('k1', 'c1', () => plan('c1', { redial: { keys, until: 100 } })));
        await one(fact('k2', 'c1', () => plan('c1', { outbox: [], closedAt: T0 })));
        let found: string | undefined = 'unset';
        await one(fact('k3', 'z', (r) => ((found = r.findRedial(keys, 50)?.id), plan('z', { outbox: [] })), { redialKeys: keys }));
        expect(found).toBeUndefined();
      });

      it('sees a redial window opened earlier in the same batch', async () => {
        const keys = ['address:+1888'];
        let found: string | undefined;
        await store.apply([
          fact('k1', 'c1', () => plan('c1', { redial: { keys, until: 100 } })),
          fact('k2', 'c9', (r) => ((found = r.findRedial(keys, 50)?.id), plan('c9', { outbox: [] })), { redialKeys: keys }),
        ]);
        expect(found).toBe('c1');
      });

      it('stores the platform clock with the conversation', async () => {
        const conversation = { ...record('c1'), clock: { platformAt: 5_000, localAt: T0 } };
        await one(fact('k1', 'c1', () => ({ conversation, outbox: [] })));
        expect((await store.conversation('c1'))?.clock).toEqual({ platformAt: 5_000, localAt: T0 });
        await reopen();
        expect((await store.conversation('c1'))?.clock).toEqual({ platformAt: 5_000, localAt: T0 });
      });
    });

    describe('ticks', () => {
      it('lists conversations whose timer is due, earliest first, and not closed ones', async () => {
        await one(fact('k1', 'a', () => plan('a', { wakeAt: T0 + 300, outbox: [] })));
        await one(fact('k2', 'b', () => plan('b', { wakeAt: T0 + 100, outbox: [] })));
        await one(fact('k3', 'c', () => plan('c', { wakeAt: T0 + 50, closedAt: T0, outbox: [] })));
        await one(fact('k4', 'd', () => plan('d', { outbox: [] })));
        expect(await store.nextWake()).toBe(T0 + 100);
        expect(await store.dueConversations(T0 + 99, 10)).toEqual([]);
        expect(await store.dueConversations(T0 + 300, 10)).toEqual([
          { id: 'b', wakeAt: T0 + 100 },
          { id: 'a', wakeAt: T0 + 300 },
        ]);
        expect(await store.dueConversations(T0 + 300, 1)).toEqual([{ id: 'b', wakeAt: T0 + 100 }]);
      });

      it('applies a due tick, and reports unchanged when it has nothing to do or the conversation is gone', async () => {
        await one(fact('k1', 'a', () => plan('a', { wakeAt: T0 + 100, outbox: [] })));
        expect((await one(tick('a', () => undefined))).kind).toBe('unchanged');
        expect((await one(tick('nobody', () => plan('nobody')))).kind).toBe('unchanged');
        expect(await store.conversation('nobody')).toBeUndefined();
        let given: ConversationRecord | undefined;
        const result = await one(tick('a', (c) => ((given = c), plan('a', { outbox: [row('exit')], closedAt: T0 + 100 }))));
        expect(result.kind).toBe('applied');
        expect(given?.id).toBe('a');
        expect((await store.outboxFor('a')).map((r) => r.label)).toEqual(['exit']);
        expect(await store.nextWake()).toBeUndefined();
        expect(await store.dueConversations(T0 + 1_000, 10)).toEqual([]);
      });

      it('runs ticks and facts of one batch in order over the same rows', async () => {
        await one(fact('k1', 'a', () => plan('a', { wakeAt: T0 + 100, outbox: [] })));
        let phaseAtFact: string | undefined;
        const results = await store.apply([
          tick('a', (c) => plan(c.id, { conversation: record('a', { phase: 'open' }), outbox: [row('tick')] })),
          fact('k2', 'a', (r) => ((phaseAtFact = r.conversationFor('a')?.state.phase), plan('a', { conversation: record('a', { phase: 'open' }), outbox: [row('fact')] }))),
        ]);
        expect(results.map((r) => r.kind)).toEqual(['applied', 'applied']);
        expect(phaseAtFact).toBe('open');
        expect((await store.outboxFor('a')).map((r) => r.label)).toEqual(['tick', 'fact']);
      });
    });

    describe('delivery line', () => {
      it('queues rows as they will be posted, in order, with the time they were queued', async () => {
        await one(fact('k1', 'c1', () => plan('c1', { outbox: [row('one', { kind: 'message', ref: 'msg-1', factAt: T0 - 5 }), row('two', { kind: 'end', event: 'END_OF_CONVERSATION' })] })));
        const rows = await store.outboxFor('c1');
        expect(rows.map((r) => [r.label, r.kind, r.event, r.status, r.attempts])).toEqual([
          ['one', 'message', 'one', 'pending', 0],
          ['two', 'end', 'END_OF_CONVERSATION', 'pending', 0],
        ]);
        expect(rows[0]).toMatchObject({ conversationId: 'c1', bot: 'default', source: 'test', ref: 'msg-1', factAt: T0 - 5, createdAt: h.now(), nextAttemptAt: h.now() });
        expect(JSON.parse(rows[0]?.bodyJson ?? '')).toEqual({ label: 'one' });
        expect(rows[0]!.id).toBeLessThan(rows[1]!.id);
      });

      it('gives the head of the line: delivered rows and non-blocking dead letters are skipped, a blocking dead letter holds the line', async () => {
        const [a, b, c] = await seed('c1', ['a', 'b', 'c']);
        const [claim] = await store.claim(['c1']);
        expect(claim).toBeDefined();
        const at = h.now();
        expect((await store.head('c1'))?.id).toBe(a!.id);
        await store.record([{ claim: claim!, update: { id: a!.id, status: 'done', httpStatus: 200, at } }]);
        expect((await store.head('c1'))?.id).toBe(b!.id);
        await store.record([{ claim: claim!, update: { id: b!.id, status: 'dead', reason: 'rejected', blocking: true, httpStatus: 400, at } }]);
        expect(await store.head('c1')).toMatchObject({ id: b!.id, status: 'dead', blocking: true, lastStatus: 400, lastError: 'rejected' });
        await store.record([{ claim: claim!, update: { id: b!.id, status: 'dead', reason: 'dropped by policy', blocking: false, at } }]);
        expect((await store.head('c1'))?.id).toBe(c!.id);
        await store.record([{ claim: claim!, update: { id: c!.id, status: 'done', httpStatus: 200, at } }]);
        expect(await store.head('c1')).toBeUndefined();
        expect(await store.head('nobody')).toBeUndefined();
      });

      it('records in-flight, retry and done marks in one batch', async () => {
        const [a, b] = await seed('c1', ['a', 'b']);
        const [claim] = await store.claim(['c1']);
        const at = h.now();
        const result = await store.record([
          { claim: claim!, update: { id: a!.id, status: 'inflight', at } },
          { claim: claim!, update: { id: b!.id, status: 'inflight', at } },
          { claim: claim!, update: { id: b!.id, status: 'pending', nextAttemptAt: at + 5_000, error: 'HTTP 503', httpStatus: 503, at } },
          { claim: claim!, update: { id: a!.id, status: 'done', httpStatus: 202, at } },
        ]);
        expect(result.refused).toEqual([]);
        const [ra, rb] = await store.outboxFor('c1');
        expect(ra).toMatchObject({ status: 'done', attempts: 1, lastStatus: 202 });
        expect(rb).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: at + 5_000, lastStatus: 503, lastError: 'HTTP 503' });
        expect(await store.record([])).toEqual({ refused: [] });
      });

      it('offers conversations with rows ready now (pending due or left in flight), not those waiting for a retry or done', async () => {
        await seed('ready', ['a']);
        const [w] = await seed('waiting', ['a']);
        const [f] = await seed('inflight', ['a']);
        const [d] = await seed('done', ['a']);
        await seed('dead', ['a']).then(async ([x]) => {
          const [c] = await store.claim(['dead']);
          await store.record([{ claim: c!, update: { id: x!.id, status: 'dead', reason: 'no', blocking: true, at: h.now() } }]);
          await store.release([c!]);
        });
        const claims = await store.claim(['waiting', 'inflight', 'done']);
        const by = (id: string) => claims.find((c) => c.conversationId === id)!;
        await store.record([
          { claim: by('waiting'), update: { id: w!.id, status: 'pending', nextAttemptAt: h.now() + 60_000, error: 'later', at: h.now() } },
          { claim: by('inflight'), update: { id: f!.id, status: 'inflight', at: h.now() } },
          { claim: by('done'), update: { id: d!.id, status: 'done', httpStatus: 200, at: h.now() } },
        ]);
        await store.release(claims);
        expect((await store.claimable(h.now(), 100)).sort()).toEqual(['inflight', 'ready']);
        expect((await store.claimable(h.now() + 60_000, 100)).sort()).toEqual(['inflight', 'ready', 'waiting']);
        expect(await store.claimable(h.now(), 1)).toHaveLength(1);
      });

      it('lists dead letters in order, puts them back in line in their original order, and drops them on request', async () => {
        const [a, b, c] = await seed('c1', ['a', 'b', 'c']);
        const [claim] = await store.claim(['c1']);
        const at = h.now();
        await store.record([
          { claim: claim!, update: { id: a!.id, status: 'dead', reason: 'rejected', blocking: true, httpStatus: 400, at } },
          { claim: claim!, update: { id: b!.id, status: 'dead', reason: 'too old', blocking: false, at } },
        ]);
        await store.release([claim!]);
        expect(ids(await store.deadLetters())).toEqual([a!.id, b!.id]);
        expect(await store.stats()).toMatchObject({ deadLetters: 2, outboxDepth: 1 });
        h.advance(1_000);
        expect(await store.retryDead('all', h.now())).toBe(2);
        expect(await store.deadLetters()).toEqual([]);
        expect(await store.head('c1')).toMatchObject({ id: a!.id, status: 'pending', attempts: 0, createdAt: h.now(), nextAttemptAt: h.now() });
        expect(await store.head('c1')).not.toHaveProperty('blocking');
        expect((await store.outboxFor('c1')).map((r) => r.status)).toEqual(['pending', 'pending', 'pending']);
        const [again] = await store.claim(['c1']);
        await store.record([{ claim: again!, update: { id: c!.id, status: 'dead', reason: 'x', blocking: true, at } }]);
        await store.release([again!]);
        expect(await store.retryDead(c!.id, h.now())).toBe(1);
        expect(await store.retryDead(c!.id, h.now())).toBe(0);
        const [third] = await store.claim(['c1']);
        await store.record([{ claim: third!, update: { id: c!.id, status: 'dead', reason: 'x', blocking: true, at } }]);
        await store.release([third!]);
        expect(await store.dropDead(a!.id)).toBe(false);
        expect(await store.dropDead(c!.id)).toBe(true);
        expect(await store.dropDead(c!.id)).toBe(false);
        expect(ids(await store.outboxFor('c1'))).toEqual([a!.id, b!.id]);
      });
    });

    describe('delivery claims', () => {
      it('grants claims for the conversations asked for and takes them back on release', async () => {
        await seed('c1', ['a']);
        await seed('c2', ['a']);
        const claims = await store.claim(['c1', 'c2']);
        expect(claims.map((c) => c.conversationId).sort()).toEqual(['c1', 'c2']);
        await store.release(claims);
        expect((await store.claim(['c1'])).map((c) => c.conversationId)).toEqual(['c1']);
      });

      if (!options.shared) return;

      it('lets one process hold a conversation at a time; another gets it once released, with a new fence', async () => {
        await seed('c1', ['a']);
        const other = await open();
        const [mine] = await store.claim(['c1']);
        expect(mine).toBeDefined();
        expect(await other.claim(['c1'])).toEqual([]);
        expect(await other.claimable(h.now(), 10)).toEqual([]);
        expect(await store.claim(['c1'])).toEqual([mine]);
        await store.release([mine!]);
        expect(await other.claimable(h.now(), 10)).toEqual(['c1']);
        const [theirs] = await other.claim(['c1']);
        expect(theirs!.fence).toBeGreaterThan(mine!.fence);
      });

      it('refuses marks under a claim whose fence moved on: a paused process cannot write what another now owns', async () => {
        const [a] = await seed('c1', ['a']);
        const paused = await open();
        const [old] = await paused.claim(['c1']);
        await paused.record([{ claim: old!, update: { id: a!.id, status: 'inflight', at: h.now() } }]);
        // The paused holder does not renew: its claim lapses and another process takes the conversation over.
        h.advance(10 * 60_000);
        const [fresh] = await store.claim(['c1']);
        expect(fresh!.fence).toBeGreaterThan(old!.fence);
        const stale = await paused.record([{ claim: old!, update: { id: a!.id, status: 'done', httpStatus: 200, at: h.now() } }]);
        expect(stale.refused).toEqual([a!.id]);
        expect((await store.head('c1'))?.status).toBe('inflight');
        expect(await paused.claim(['c1'])).toEqual([]);
        const ok = await store.record([{ claim: fresh!, update: { id: a!.id, status: 'done', httpStatus: 200, at: h.now() } }]);
        expect(ok.refused).toEqual([]);
        expect(await store.head('c1')).toBeUndefined();
      });

      it('hands the claims of a process that closes to others at once', async () => {
        await seed('c1', ['a']);
        const leaving = await open();
        expect(await leaving.claim(['c1'])).toHaveLength(1);
        expect(await store.claim(['c1'])).toEqual([]);
        await leaving.close();
        expect(await store.claimable(h.now(), 10)).toEqual(['c1']);
        expect(await store.claim(['c1'])).toHaveLength(1);
      });

      it('takes over a conversation whose holder stopped renewing its claim', async () => {
        await seed('c1', ['a']);
        const gone = await open();
        expect(await gone.claim(['c1'])).toHaveLength(1);
        expect(await store.claim(['c1'])).toEqual([]);
        expect(await store.claimable(h.now(), 10)).toEqual([]);
        h.advance(10 * 60_000);
        expect(await store.claimable(h.now(), 10)).toEqual(['c1']);
        expect(await store.claim(['c1'])).toHaveLength(1);
      });

      it('applies concurrent batches of several processes on the same conversations without losing an update or deadlocking', async () => {
        const others = await Promise.all([open(), open(), open()]);
        await seed('x', []);
        await seed('y', []);
        // Each batch touches x and y in opposite orders; every fact appends one outbox row.
        const batches = others.flatMap((s, i) =>
          Array.from({ length: 5 }, (_, j) =>
            s.apply([
              fact(`x-${i}-${j}`, j % 2 ? 'x' : 'y', (r) => plan(j % 2 ? 'x' : 'y', { conversation: r.conversationFor(j % 2 ? 'x' : 'y')!, outbox: [row(`${i}-${j}-a`)] })),
              fact(`y-${i}-${j}`, j % 2 ? 'y' : 'x', (r) => plan(j % 2 ? 'y' : 'x', { conversation: r.conversationFor(j % 2 ? 'y' : 'x')!, outbox: [row(`${i}-${j}-b`)] })),
            ]),
          ),
        );
        const results = (await Promise.all(batches)).flat();
        expect(results.every((r) => r.kind === 'applied')).toBe(true);
        expect((await store.outboxFor('x')).length + (await store.outboxFor('y')).length).toBe(30);
      });

      it('applies one fact once when two processes bring it at the same time', async () => {
        const [p1, p2] = await Promise.all([open(), open()]);
        const results = await Promise.all([p1, p2, p1, p2].map((s) => s.apply([fact('same', 'c1', () => plan('c1'))])));
        expect(results.flat().map((r) => r.kind).sort()).toEqual(['applied', 'duplicate', 'duplicate', 'duplicate']);
        expect(await store.outboxFor('c1')).toHaveLength(1);
      });
    });

    describe('leases', () => {
      it('takes a free lease, renews it for its holder without a new epoch, and refuses it to others while held', async () => {
        const first = await store.acquireLease('genesys', 'A', 1_000);
        expect(first).toMatchObject({ name: 'genesys', holder: 'A' });
        h.advance(500);
        const renewed = await store.acquireLease('genesys', 'A', 1_000);
        expect(renewed?.epoch).toBe(first?.epoch);
        expect(renewed!.expiresAt).toBeGreaterThan(first!.expiresAt);
        expect(await store.acquireLease('genesys', 'B', 1_000)).toBeUndefined();
        expect(await store.acquireLease('other', 'B', 1_000)).toMatchObject({ holder: 'B' });
      });

      it('hands an expired lease to a new holder with a new epoch; the old holder cannot renew it', async () => {
        const first = await store.acquireLease('genesys', 'A', 1_000);
        h.advance(1_001);
        const taken = await store.acquireLease('genesys', 'B', 1_000);
        expect(taken?.holder).toBe('B');
        expect(taken!.epoch).toBeGreaterThan(first!.epoch);
        expect(await store.acquireLease('genesys', 'A', 1_000)).toBeUndefined();
      });

      it('gives a lease back on release so another takes it at once; a stale release changes nothing', async () => {
        const first = await store.acquireLease('genesys', 'A', 60_000);
        await store.releaseLease('genesys', 'A', first!.epoch + 1);
        expect(await store.acquireLease('genesys', 'B', 60_000)).toBeUndefined();
        await store.releaseLease('genesys', 'A', first!.epoch);
        const next = await store.acquireLease('genesys', 'B', 60_000);
        expect(next?.epoch).toBe(first!.epoch + 1);
        const other = await open();
        expect(await other.acquireLease('genesys', 'A', 60_000)).toBeUndefined();
      });

      it('starts a new epoch when the same holder takes its lease again after losing it', async () => {
        const first = await store.acquireLease('genesys', 'A', 1_000);
        h.advance(2_000);
        const again = await store.acquireLease('genesys', 'A', 1_000);
        expect(again!.epoch).toBeGreaterThan(first!.epoch);
      });

      if (!options.shared) return;

      it('refuses a fenced fact unless the fence is the lease current and unexpired epoch', async () => {
        const lease = await store.acquireLease('genesys', 'A', 1_000);
        const fence = { lease: 'genesys', epoch: lease!.epoch };
        expect((await one(fact('k1', 'c1', () => plan('c1'), { fence }))).kind).toBe('applied');
        expect((await one(fact('k2', 'c1', () => plan('c1'), { fence: { lease: 'genesys', epoch: lease!.epoch + 1 } }))).kind).toBe('fenced');
        expect((await one(fact('k3', 'c1', () => plan('c1'), { fence: { lease: 'nobody', epoch: 1 } }))).kind).toBe('fenced');
        h.advance(1_001);
        expect((await one(fact('k4', 'c1', () => plan('c1'), { fence }))).kind).toBe('fenced');
        const taken = await store.acquireLease('genesys', 'B', 1_000);
        expect((await one(fact('k5', 'c1', () => plan('c1'), { fence }))).kind).toBe('fenced');
        expect((await one(fact('k6', 'c1', () => plan('c1'), { fence: { lease: 'genesys', epoch: taken!.epoch } }))).kind).toBe('applied');
        // A refused fact leaves its key unused: the new holder's socket may bring it again.
        expect((await one(fact('k4', 'c1', () => plan('c1'), { fence: { lease: 'genesys', epoch: taken!.epoch } }))).kind).toBe('applied');
        expect(await store.outboxFor('c1')).toHaveLength(3);
      });
    });

    describe('cursors', () => {
      it('keeps a durable value per name across a reopen', async () => {
        expect(await store.cursor('genesys:lastFrameAt')).toBeUndefined();
        await store.setCursor('genesys:lastFrameAt', 100);
        await store.setCursor('genesys:lastFrameAt', 250);
        await store.setCursor('other', 7);
        await reopen();
        expect(await store.cursor('genesys:lastFrameAt')).toBe(250);
        expect(await store.cursor('other')).toBe(7);
      });
    });

    describe('open conversations and stats', () => {
      it('lists open conversations oldest change first, of one source if asked, with their platform ids and experience', async () => {
        await one(fact('k1', 'a', () => ({ conversation: { ...record('a', { experience: 'voice', platforms: { a: { ended: false }, a2: { ended: false } } }, 'genesys') }, outbox: [] })));
        h.advance(10);
        await one(fact('k2', 'b', () => ({ conversation: record('b', {}, 'ada'), outbox: [] })));
        h.advance(10);
        await one(fact('k3', 'c', () => ({ conversation: record('c', {}, 'genesys'), outbox: [], closedAt: h.now() })));
        h.advance(10);
        await one(fact('k4', 'a', () => ({ conversation: { ...record('a', { experience: 'voice', platforms: { a: { ended: false }, a2: { ended: false } } }, 'genesys') }, outbox: [] })));
        const all = await store.openConversations();
        expect(all.map((c) => c.id)).toEqual(['b', 'a']);
        const genesys = await store.openConversations('genesys');
        expect(genesys).toEqual([{ id: 'a', source: 'genesys', bot: 'default', platformIds: ['a', 'a2'], experience: 'voice', updatedAt: T0 + 30, createdAt: T0 }]);
        expect(await store.openConversations('nobody')).toEqual([]);
      });

      it('counts active conversations, the delivery queue and dead letters, with the oldest ages', async () => {
        expect(await store.stats()).toEqual({ activeConversations: 0, outboxDepth: 0, deadLetters: 0 });
        const [a] = await seed('c1', ['a', 'b']);
        h.advance(100);
        await seed('c2', ['c'], { closedAt: h.now() });
        const [claim] = await store.claim(['c1']);
        await store.record([{ claim: claim!, update: { id: a!.id, status: 'dead', reason: 'no', blocking: true, at: h.now() } }]);
        expect(await store.stats()).toEqual({ activeConversations: 1, oldestActiveAt: T0, outboxDepth: 2, oldestPendingAt: T0, deadLetters: 1 });
        expect(await store.writable()).toBe(true);
      });
    });

    describe('purge', () => {
      it('removes closed conversations past retention in slices, with their keys and delivered rows, keeping dead letters', async () => {
        for (const id of ['old1', 'old2', 'old3']) await seed(id, ['a'], { closedAt: T0 + 1_000 });
        await seed('new', ['a'], { closedAt: T0 + 5_000 });
        await seed('open', ['a']);
        const claims = await store.claim(['old1', 'old2', 'old3']);
        const rowOf = async (id: string) => (await store.outboxFor(id))[0]!;
        const by = (id: string) => claims.find((c) => c.conversationId === id)!;
        await store.record([
          { claim: by('old1'), update: { id: (await rowOf('old1')).id, status: 'done', httpStatus: 200, at: T0 } },
          { claim: by('old2'), update: { id: (await rowOf('old2')).id, status: 'done', httpStatus: 200, at: T0 } },
          { claim: by('old3'), update: { id: (await rowOf('old3')).id, status: 'dead', reason: 'rejected', blocking: true, httpStatus: 400, at: T0 } },
        ]);
        await store.release(claims);
        expect(await store.purgeClosed(T0 + 2_000, 2)).toBe(2);
        expect(await store.purgeClosed(T0 + 2_000, 2)).toBe(1);
        expect(await store.purgeClosed(T0 + 2_000, 2)).toBe(0);
        for (const id of ['old1', 'old2', 'old3']) expect(await store.conversation(id)).toBeUndefined();
        expect(await store.outboxFor('old1')).toEqual([]);
        expect((await store.deadLetters()).map((r) => r.conversationId)).toEqual(['old3']);
        expect(await store.conversation('new')).toBeDefined();
        expect(await store.conversation('open')).toBeDefined();
        // The purged fact's key is forgotten: retention is the dedupe horizon.
        expect((await one(fact('seed-old1', 'old1', () => plan('old1', { outbox: [] })))).kind).toBe('applied');
      });
    });

    describe('data at rest', () => {
      const deliver = async (id: string, rowId: number, extra: { purgeBody?: boolean } = {}) => {
        const [c] = await store.claim([id]);
        await store.record([{ claim: c!, update: { id: rowId, status: 'done', httpStatus: 200, at: h.now(), ...extra } }]);
        await store.release([c!]);
      };
      const kill = async (id: string, rowId: number, blocking: boolean) => {
        const [c] = await store.claim([id]);
        await store.record([{ claim: c!, update: { id: rowId, status: 'dead', reason: 'gave up', blocking, at: h.now() } }]);
        await store.release([c!]);
      };

      it('purges the body of a delivered call when asked, keeping its metadata; without it the body stays', async () => {
        const [a, b] = await seed('c1', ['a', 'b']);
        await deliver('c1', a!.id, { purgeBody: true });
        await deliver('c1', b!.id);
        const [ra, rb] = await store.outboxFor('c1');
        expect(ra).toMatchObject({ id: a!.id, status: 'done', kind: 'transfer', label: 'a', event: 'a', lastStatus: 200, bodyJson: PURGED_BODY, createdAt: T0, factAt: T0 });
        expect(JSON.parse(rb!.bodyJson)).toEqual({ label: 'b' });
        // A purge mark refused by its fence, or on a row not delivered, purges nothing.
        const [c] = await seed('c2', ['c']);
        const [claim] = await store.claim(['c2']);
        await store.record([{ claim: claim!, update: { id: c!.id, status: 'pending', nextAttemptAt: h.now(), error: 'HTTP 503', at: h.now() } }]);
        expect(JSON.parse((await store.outboxFor('c2'))[0]!.bodyJson)).toEqual({ label: 'c' });
      });

      it('dates dead letters and expires those given up on before a time, oldest first, in slices', async () => {
        const [a] = await seed('c1', ['a']);
        await kill('c1', a!.id, false);
        h.advance(1_000);
        const [b] = await seed('c2', ['b']);
        await kill('c2', b!.id, false);
        h.advance(1_000);
        const [c] = await seed('c3', ['c']);
        await kill('c3', c!.id, false);
        expect((await store.deadLetters()).map((r) => r.deadSince)).toEqual([T0, T0 + 1_000, T0 + 2_000]);
        const first = await store.expireDeadLetters(T0 + 1_500, 1);
        expect(first).toEqual([{ id: a!.id, conversationId: 'c1', label: 'a', event: 'a', blocking: false, deadSince: T0, queuedRemoved: 0 }]);
        expect((await store.expireDeadLetters(T0 + 1_500, 10)).map((e) => e.id)).toEqual([b!.id]);
        expect(await store.expireDeadLetters(T0 + 1_500, 10)).toEqual([]);
        expect((await store.deadLetters()).map((r) => r.id)).toEqual([c!.id]);
        expect((await store.stats()).deadLetters).toBe(1);
      });

      it('a retried dead letter is not expired; one dead again is dated from its new death', async () => {
        const [a] = await seed('c1', ['a']);
        await kill('c1', a!.id, true);
        h.advance(10_000);
        expect(await store.retryDead(a!.id, h.now())).toBe(1);
        await kill('c1', a!.id, true);
        expect((await store.deadLetters())[0]?.deadSince).toBe(T0 + 10_000);
        expect(await store.expireDeadLetters(T0 + 5_000, 10)).toEqual([]);
      });

      it('an expiring blocking dead letter takes the calls queued behind it, so its conversation waits for nothing', async () => {
        const [a, b, c] = await seed('c1', ['a', 'b', 'c']);
        const [d] = await seed('c2', ['d']);
        await deliver('c1', a!.id);
        await kill('c1', b!.id, true);
        expect((await store.head('c1'))?.id).toBe(b!.id);
        h.advance(1_000);
        const expired = await store.expireDeadLetters(h.now(), 10);
        expect(expired).toEqual([{ id: b!.id, conversationId: 'c1', label: 'b', event: 'b', blocking: true, deadSince: T0, queuedRemoved: 1 }]);
        expect(await store.head('c1')).toBeUndefined();
        expect((await store.outboxFor('c1')).map((r) => [r.id, r.status])).toEqual([[a!.id, 'done']]);
        expect(c).toBeDefined();
        // Other conversations' calls are untouched.
        expect((await store.head('c2'))?.id).toBe(d!.id);
        expect(await store.claimable(h.now(), 10)).toEqual(['c2']);
      });

      it('erases every row of a conversation and says what it removed; other conversations keep theirs', async () => {
        await one(
          fact('k1', 'c1', () => plan('c1', { outbox: [row('a'), row('b')], redial: { keys: ['tel:+1555'], until: T0 + 60_000 } })),
        );
        const [a, b] = await store.outboxFor('c1');
        await deliver('c1', a!.id);
        await kill('c1', b!.id, true);
        // A redial: platform conversation c1b continues c1.
        await one(fact('k2', 'c1b', () => ({ conversation: record('c1'), outbox: [row('c')], alias: 'c1' })));
        await seed('other', ['x']);
        const erased = await store.erase('c1');
        expect(erased?.conversationId).toBe('c1');
        expect(erased?.wasOpen).toBe(true);
        expect(erased?.removed).toMatchObject({ conversations: 1, facts: 2, outbox: 3, aliases: 1, redialKeys: 1 });
        expect(await store.conversation('c1')).toBeUndefined();
        expect(await store.outboxFor('c1')).toEqual([]);
        expect(await store.deadLetters()).toEqual([]);
        expect(await store.head('c1')).toBeUndefined();
        // Its dedupe keys and routing are gone: the same fact again starts afresh, not as a duplicate or a redial.
        expect((await one(fact('k1', 'c1', () => plan('c1', { outbox: [] })))).kind).toBe('applied');
        let routed: string | undefined = 'unset';
        await one(fact('k3', 'c1b', (r) => ((routed = r.conversationFor('c1b')?.id), plan('c1b', { outbox: [] }))));
        expect(routed).toBeUndefined();
        expect((await store.outboxFor('other')).length).toBe(1);
        expect(await store.conversation('other')).toBeDefined();
      });

      it('erases a conversation by the platform id a redial routed into it, and dead letters left after the retention purge', async () => {
        await seed('c1', ['a']);
        await one(fact('k2', 'c1b', () => ({ conversation: record('c1'), outbox: [], alias: 'c1' })));
        expect((await store.erase('c1b'))?.conversationId).toBe('c1');
        expect(await store.conversation('c1')).toBeUndefined();

        const [d] = await seed('gone', ['d'], { closedAt: T0 });
        await kill('gone', d!.id, false);
        expect(await store.purgeClosed(T0 + 1, 10)).toBe(1);
        const erased = await store.erase('gone');
        expect(erased).toMatchObject({ conversationId: 'gone', wasOpen: false, removed: { conversations: 0, outbox: 1 } });
        expect(await store.deadLetters()).toEqual([]);
      });

      it('erasing what was never stored (or was erased already) finds nothing', async () => {
        await seed('c1', ['a']);
        expect(await store.erase('nobody')).toBeUndefined();
        expect(await store.erase('c1')).toBeDefined();
        expect(await store.erase('c1')).toBeUndefined();
      });
    });

    describe('schema', () => {
      it('refuses a store whose schema is newer than this release knows', async () => {
        await store.close();
        await h.markSchemaNewer();
        const err: unknown = await h.open().then(
          async (s) => {
            await s.close();
            return undefined;
          },
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(StoreError);
        expect(err instanceof StoreError ? err.code : undefined).toBe('STORE_SCHEMA_TOO_NEW');
      });

      it('opens the same database from several processes at once', async () => {
        const more = await Promise.all([open(), open(), open()]);
        await one(fact('k1', 'c1', () => plan('c1')), more[2]);
        for (const s of more) expect((await s.conversation('c1'))?.id).toBe('c1');
      });
    });
  });
}
