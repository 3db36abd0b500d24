// The hold windows run on a clock the test moves, and processing finishes when the test says so: each case
// sets up exactly the interleaving it is about, whatever the machine's load.
import { describe, expect, it } from 'vitest';
import { OrderingBuffer } from '../ordering.js';
import { FakeClock } from '../../../test/helpers/fake-clock.js';

interface Item {
  readonly at: number;
}

const HOLD_MS = 2_000;

/** A buffer whose processing of each item waits until the test finishes it. */
function rig(fail?: (item: Item) => boolean) {
  const clock = new FakeClock();
  const started: string[] = [];
  const finishers = new Map<string, () => void>();
  let running = 0;
  let maxRunning = 0;
  const buffer = new OrderingBuffer<Item, string>({
    holdMs: HOLD_MS,
    compare: (a, b) => a.at - b.at,
    timers: clock,
    process: async (key, item) => {
      const name = `${key}:${item.at}`;
      started.push(name);
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise<void>((resolve) => finishers.set(name, resolve));
      running--;
      if (fail?.(item)) throw new Error(`failed ${item.at}`);
      return `done ${item.at}`;
    },
  });
  return {
    buffer,
    clock,
    started,
    maxRunning: () => maxRunning,
    /** Lets the processing of `name` finish, once it has started. */
    async finish(name: string): Promise<void> {
      await until(() => finishers.has(name), () => `${name} never started; started: ${started.join(', ')}`);
      finishers.get(name)?.();
      finishers.delete(name);
    },
  };
}

describe('OrderingBuffer', () => {
  it('holds a window for holdMs from its first item, then releases it sorted; each submit gets its own result', async () => {
    const r = rig();
    const results = [3, 1, 2].map((at) => r.buffer.submit('k', { at }));
    r.clock.step(HOLD_MS - 1);
    await turns(5);
    expect(r.started).toEqual([]);
    expect(r.buffer.pending).toBe(3);
    r.clock.step(1);
    for (const name of ['k:1', 'k:2', 'k:3']) await r.finish(name);
    expect(await Promise.all(results)).toEqual(['done 3', 'done 1', 'done 2']);
    expect(r.started).toEqual(['k:1', 'k:2', 'k:3']);
    expect(r.buffer.pending).toBe(0);
  });

  it('a later item does not extend the window', async () => {
    const r = rig();
    void r.buffer.submit('k', { at: 2 });
    r.clock.step(HOLD_MS - 1);
    void r.buffer.submit('k', { at: 1 });
    r.clock.step(1);
    await r.finish('k:1');
    await r.finish('k:2');
    expect(r.started).toEqual(['k:1', 'k:2']);
  });

  it('a window that closes while the previous one of the same key is still processing waits for it', async () => {
    const r = rig();
    const first = r.buffer.submit('k', { at: 5 });
    r.clock.step(HOLD_MS);
    await until(() => r.started.length === 1);
    // Window 2 opens and closes while item 5 is still being processed.
    const second = r.buffer.submit('k', { at: 6 });
    r.clock.step(HOLD_MS);
    await turns(20);
    expect(r.started).toEqual(['k:5']);
    await r.finish('k:5');
    await r.finish('k:6');
    expect(await Promise.all([first, second])).toEqual(['done 5', 'done 6']);
    expect(r.started).toEqual(['k:5', 'k:6']);
    expect(r.maxRunning()).toBe(1);
  });

  it('items with the same timestamp keep their arrival order', async () => {
    const clock = new FakeClock();
    const seen: string[] = [];
    const buffer = new OrderingBuffer<{ at: number; name: string }, void>({
      holdMs: HOLD_MS,
      compare: (a, b) => a.at - b.at,
      timers: clock,
      process: async (_key, item) => void seen.push(item.name),
    });
    const names = Array.from({ length: 12 }, (_, i) => `n${i}`);
    const all = [...names, 'early'].map((name) => buffer.submit('k', { at: name === 'early' ? 0 : 5, name }));
    clock.step(HOLD_MS);
    await Promise.all(all);
    expect(seen).toEqual(['early', ...names]);
  });

  it('a third window waits for the second, which waited for the first', async () => {
    const r = rig();
    const results = [r.buffer.submit('k', { at: 1 })];
    r.clock.step(HOLD_MS);
    await until(() => r.started.length === 1);
    results.push(r.buffer.submit('k', { at: 2 }));
    r.clock.step(HOLD_MS);
    await r.finish('k:1');
    await until(() => r.started.length === 2);
    // Window 2 is being processed (window 1's chain is done) when window 3 closes.
    results.push(r.buffer.submit('k', { at: 3 }));
    r.clock.step(HOLD_MS);
    await turns(20);
    expect(r.started).toEqual(['k:1', 'k:2']);
    await r.finish('k:2');
    await r.finish('k:3');
    expect(await Promise.all(results)).toEqual(['done 1', 'done 2', 'done 3']);
    expect(r.maxRunning()).toBe(1);
  });

  it('flushAll waits for a window already being processed too', async () => {
    const r = rig();
    const first = r.buffer.submit('k', { at: 1 });
    r.clock.step(HOLD_MS);
    await until(() => r.started.length === 1);
    let flushed = false;
    const flushing = r.buffer.flushAll().then(() => (flushed = true));
    await turns(10);
    expect(flushed).toBe(false);
    await r.finish('k:1');
    await flushing;
    await expect(first).resolves.toBe('done 1');
  });

  it('keys do not wait for each other', async () => {
    const r = rig();
    void r.buffer.submit('a', { at: 1 });
    void r.buffer.submit('b', { at: 1 });
    r.clock.step(HOLD_MS);
    await until(() => r.started.length === 2);
    expect(r.started.sort()).toEqual(['a:1', 'b:1']);
    await r.finish('a:1');
    await r.finish('b:1');
  });

  it('refuses the rest of a window after a failure instead of processing out of order', async () => {
    const r = rig((item) => item.at === 2);
    const outcomes = Promise.allSettled([1, 2, 3].map((at) => r.buffer.submit('k', { at })));
    r.clock.step(HOLD_MS);
    await r.finish('k:1');
    await r.finish('k:2');
    const settled = await outcomes;
    expect(settled.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    expect(settled.map((o) => (o.status === 'rejected' ? (o.reason as Error).message : o.value))).toEqual(['done 1', 'failed 2', 'failed 2']);
    expect(r.started).toEqual(['k:1', 'k:2']);
    // The next window of the key is processed normally.
    const next = r.buffer.submit('k', { at: 4 });
    r.clock.step(HOLD_MS);
    await r.finish('k:4');
    await expect(next).resolves.toBe('done 4');
  });

  it('flushAll processes held items at once and waits for them', async () => {
    const clock = new FakeClock();
    const buffer = new OrderingBuffer<Item, number>({ holdMs: 60_000, compare: (a, b) => a.at - b.at, process: async (_key, item) => item.at, timers: clock });
    const pending = buffer.submit('k', { at: 7 });
    expect(buffer.pending).toBe(1);
    await buffer.flushAll();
    await expect(pending).resolves.toBe(7);
    expect(buffer.pending).toBe(0);
    // Its window timer is gone: nothing fires later.
    expect(clock.pendingTimers).toBe(0);
  });
});

/** Event-loop turns, not time. */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

async function until(condition: () => boolean, why?: () => string): Promise<void> {
  for (let i = 0; i < 1_000 && !condition(); i++) await turns(1);
  expect(condition(), why?.()).toBe(true);
}
