// The sink never brings the daemon down: a store that fails under delivery (SQLITE_BUSY, disk full) is
// logged and retried with backoff, no promise is left unhandled, and everything is delivered, in order and
// once, when the store recovers. The store is the real one, wrapped so that its delivery calls throw for a
// while; the test clock stands in for minutes of failure.
import Database from '../../src/store/sqlite-driver.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { ClaimedUpdate, Store } from '../../src/store/types.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { DOWN, queue, startRig } from './rig.js';

const FLOW = ['NA entry A', 'message USER 1', 'NA exit A', 'TRIGGER_SUMMARY_EVENT', 'END_OF_CONVERSATION'];
type Failing = 'head' | 'record' | 'claim' | 'claimable';

/** The real store, whose delivery calls throw while `failing` says so. */
function flakyStore(real: Store): { store: Store; fail: (calls: readonly Failing[], when?: (updates?: readonly ClaimedUpdate[]) => boolean) => void; heal: () => void; failures: () => number } {
  let failing = new Set<Failing>();
  let when: (updates?: readonly ClaimedUpdate[]) => boolean = () => true;
  let failures = 0;
  let n = 0;
  const maybeThrow = (call: Failing, updates?: readonly ClaimedUpdate[]): void => {
    if (!failing.has(call) || !when(updates)) return;
    failures += 1;
    n += 1;
    throw n % 2 ? new Database.SqliteError('database is locked', 'SQLITE_BUSY') : new Database.SqliteError('database or disk is full', 'SQLITE_FULL');
  };
  const store: Store = {
    ...real,
    head: async (id) => (maybeThrow('head'), real.head(id)),
    record: async (updates) => (maybeThrow('record', updates), real.record(updates)),
    claim: async (ids) => (maybeThrow('claim'), real.claim(ids)),
    claimable: async (t, limit) => (maybeThrow('claimable'), real.claimable(t, limit)),
  };
  return {
    store,
    fail: (calls, w = () => true) => {
      failing = new Set(calls);
      when = w;
    },
    heal: () => {
      failing = new Set();
    },
    failures: () => failures,
  };
}

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};
beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
});

function rigOnFlakyStore(): ReturnType<typeof startRig> & { flaky: ReturnType<typeof flakyStore> } {
  const clock = new FakeClock();
  const flaky = flakyStore(openSqliteStore({ path: ':memory:', now: clock.now }));
  return { ...startRig({}, flaky.store, clock), flaky };
}

describe('delivery over a failing store', () => {
  it('survives SQLITE_BUSY and disk full in head, claim, claimable and record, and delivers once the store recovers', async () => {
    const rig = rigOnFlakyStore();
    const { clock, host, flaky } = rig;
    await queue(rig.store, 'c1', FLOW);
    await queue(rig.store, 'c2', FLOW);
    flaky.fail(['head', 'claim', 'record']);
    await rig.dispatcher.start();
    rig.dispatcher.notify('c1');
    rig.dispatcher.notify('c2');
    await clock.advance(2 * 60_000);
    flaky.fail(['head', 'claim', 'record', 'claimable']);
    await expect(rig.dispatcher.sweep()).rejects.toThrow(/disk is full|locked/);
    await clock.advance(60_000);
    expect(flaky.failures()).toBeGreaterThan(10);
    expect(host.calls).toEqual([]);
    expect(rig.logs.lines.some((l) => l.includes('"event":"delivery.store_failed"') && l.includes('SQLITE_'))).toBe(true);

    flaky.heal();
    await clock.advance(60_000);
    expect(host.accepted('c1')).toEqual(FLOW);
    expect(host.accepted('c2')).toEqual(FLOW);
    expect(await rig.store.deadLetters()).toEqual([]);
    await rig.dispatcher.whenIdle();
    expect(unhandled).toEqual([]);
  });

  it('keeps the outcome of a call whose mark the store refused: an accepted END_OF_CONVERSATION is neither resent nor dead-lettered', async () => {
    const rig = rigOnFlakyStore();
    const { clock, host, flaky } = rig;
    await queue(rig.store, 'c', FLOW);
    // Every mark but "in flight" fails for a minute: Agent AI accepts the calls, the store cannot say so.
    flaky.fail(['record'], (updates) => (updates ?? []).some((u) => u.update.status !== 'inflight'));
    await rig.dispatcher.start();
    await clock.advance(60_000);
    flaky.heal();
    await clock.advance(60_000);
    expect(host.tried('c')).toEqual(FLOW);
    expect(await rig.store.deadLetters()).toEqual([]);
    expect((await rig.store.outboxFor('c')).map((r) => r.status)).toEqual(FLOW.map(() => 'done'));
    expect(unhandled).toEqual([]);
  });

  it('a probe whose in-flight mark fails does not leave the circuit half-open for ever', async () => {
    const rig = rigOnFlakyStore();
    const { clock, host, flaky } = rig;
    host.answer = () => DOWN;
    for (const id of ['a', 'b', 'c', 'd', 'e', 'f']) await queue(rig.store, id, FLOW.slice(0, 2));
    await rig.dispatcher.start();
    await clock.advance(500);
    expect((rig.dispatcher.status() as { circuit: { state: string } }).circuit.state).toBe('open');
    flaky.fail(['record'], (updates) => (updates ?? []).some((u) => u.update.status === 'inflight'));
    await clock.advance(60_000);
    flaky.heal();
    host.answer = () => ({ kind: 'ok', status: 200 });
    await clock.advance(120_000);
    for (const id of ['a', 'b', 'c', 'd', 'e', 'f']) expect(host.accepted(id)).toEqual(FLOW.slice(0, 2));
    expect(unhandled).toEqual([]);
  });
});
