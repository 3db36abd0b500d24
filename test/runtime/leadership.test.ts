// The subscription lease, in-process with a clock under the test's control: who leads, when a leader stops
// acting (lost lease, cut off from the database), and that a process never inherits another's lease.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { Leadership, type Term } from '../../src/runtime/leadership.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { processHolder } from '../../src/store/postgres.js';
import type { Store } from '../../src/store/types.js';

const logger = pino({ level: 'silent' });
const TTL = 1_000;
const HEARTBEAT = 200;

/** The store's clock is the test's clock; `cutOff` makes every lease call fail as a lost database would. */
function storeWithSwitch(): { store: Store; cut(on: boolean): void } {
  const inner = openSqliteStore({ path: ':memory:', now: () => Date.now() });
  let off = false;
  const store: Store = {
    ...inner,
    acquireLease: (name, holder, ttl) => (off ? Promise.reject(new Error('connection refused')) : inner.acquireLease(name, holder, ttl)),
    releaseLease: (name, holder, epoch) => (off ? Promise.reject(new Error('connection refused')) : inner.releaseLease(name, holder, epoch)),
  };
  return { store, cut: (on) => void (off = on) };
}

function replica(store: Store, holder: string, now?: () => number) {
  const events: string[] = [];
  const leadership = new Leadership({
    store,
    lease: 'subscription',
    holder,
    ttlMs: TTL,
    heartbeatMs: HEARTBEAT,
    logger,
    ...(now ? { now } : {}),
    onElected: async (term: Term) => void events.push(`elected ${term.epoch}`),
    onDeposed: async () => void events.push('deposed'),
  });
  return { leadership, events };
}

describe('leadership', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('one of two processes leads; the other takes over once the leader stops renewing, with a new epoch', async () => {
    const { store } = storeWithSwitch();
    const a = replica(store, processHolder('replica-a'));
    const b = replica(store, processHolder('replica-b'));
    await a.leadership.tick();
    await b.leadership.tick();
    await a.leadership.settled();
    expect(a.leadership.isLeading()).toBe(true);
    expect(b.leadership.isLeading()).toBe(false);
    expect(b.leadership.status()).toMatchObject({ state: 'following', ttlMs: TTL, heartbeatMs: HEARTBEAT });
    const epoch = a.leadership.fence()?.epoch;
    // a stops renewing (killed): b gets the lease only after the TTL.
    await vi.advanceTimersByTimeAsync(TTL / 2);
    await b.leadership.tick();
    expect(b.leadership.isLeading()).toBe(false);
    await vi.advanceTimersByTimeAsync(TTL);
    await b.leadership.tick();
    await b.leadership.settled();
    expect(b.leadership.fence()?.epoch).toBe((epoch ?? 0) + 1);
    expect(b.events).toEqual([`elected ${(epoch ?? 0) + 1}`]);
    // a wakes up: its term is over on its own clock before it even asks, and the store refuses it the lease.
    expect(a.leadership.isLeading()).toBe(false);
    await a.leadership.tick();
    await a.leadership.settled();
    expect(a.events).toEqual([`elected ${epoch}`, 'deposed']);
    expect(a.leadership.status()).toMatchObject({ state: 'following' });
  });

  it('a leader cut off from the database stops acting before its lease can lapse, and leads again once it is back', async () => {
    const { store, cut } = storeWithSwitch();
    const a = replica(store, processHolder('replica-a'));
    a.leadership.start();
    await vi.advanceTimersByTimeAsync(0);
    await a.leadership.settled();
    expect(a.leadership.isLeading()).toBe(true);
    cut(true);
    await vi.advanceTimersByTimeAsync(TTL * 0.8 + 1);
    await a.leadership.settled();
    expect(a.leadership.isLeading()).toBe(false);
    expect(a.events).toEqual(['elected 1', 'deposed']);
    expect(a.leadership.status()).toMatchObject({ state: 'cut-off', lastError: 'connection refused' });
    cut(false);
    await vi.advanceTimersByTimeAsync(TTL);
    await a.leadership.settled();
    expect(a.leadership.isLeading()).toBe(true);
    // The same epoch: nobody else held the lease meanwhile, so nothing of this process's can be stale.
    expect(a.events).toEqual(['elected 1', 'deposed', 'elected 1']);
    await a.leadership.stop();
  });

  it('a leader whose deadline timer fires before its clock says the term is over still stops acting (timers run on the loop clock)', async () => {
    const { store, cut } = storeWithSwitch();
    // Timers run on libuv's monotonic millisecond clock: on a busy loop they fire up to a millisecond before
    // Date.now() reaches their deadline. Here the process clock falls a little behind the timers' clock.
    let skewMs = 0;
    const { leadership, events } = replica(store, processHolder('replica-a'), () => Date.now() + skewMs);
    await leadership.tick();
    await leadership.settled();
    cut(true);
    skewMs = -3;
    // The renewals fail from now on, so nothing but the deadline can end the term.
    await vi.advanceTimersByTimeAsync(TTL * 0.8 + 1);
    await vi.advanceTimersByTimeAsync(10);
    await leadership.settled();
    expect(events).toEqual(['elected 1', 'deposed']);
    expect(leadership.status()).toMatchObject({ state: 'cut-off' });
  });

  it('a restarted process with the same replica id does not inherit the lease; SIGTERM-style stop hands it over at once', async () => {
    const { store } = storeWithSwitch();
    const before = replica(store, processHolder('replica-a'));
    await before.leadership.tick();
    const restarted = replica(store, processHolder('replica-a'));
    await restarted.leadership.tick();
    expect(restarted.leadership.isLeading()).toBe(false);
    await before.leadership.stop();
    expect(before.events).toEqual(['elected 1', 'deposed']);
    await restarted.leadership.tick();
    await restarted.leadership.settled();
    expect(restarted.events).toEqual(['elected 2']);
    await restarted.leadership.stop();
  });
});
