import { describe, expect, it } from 'vitest';
import { OrderingBuffer } from '../ordering.js';

interface Item {
  readonly key: string;
  readonly at: number;
}

function recorder(fail?: (item: Item) => boolean) {
  const seen: string[] = [];
  let running = 0;
  let maxRunning = 0;
  const buffer = new OrderingBuffer<Item, string>({
    holdMs: 30,
    compare: (a, b) => a.at - b.at,
    process: async (key, item) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      if (fail?.(item)) throw new Error(`failed ${item.at}`);
      seen.push(`${key}:${item.at}`);
      return `done ${item.at}`;
    },
  });
  return { buffer, seen, maxRunning: () => maxRunning };
}

describe('OrderingBuffer', () => {
  it('releases a window sorted, and resolves each submit with its own result', async () => {
    const { buffer, seen } = recorder();
    const results = await Promise.all([3, 1, 2].map((at) => buffer.submit('k', { key: 'k', at })));
    expect(seen).toEqual(['k:1', 'k:2', 'k:3']);
    expect(results).toEqual(['done 3', 'done 1', 'done 2']);
  });

  it('never runs one key concurrently, even across windows', async () => {
    const { buffer, maxRunning } = recorder();
    const first = buffer.submit('k', { key: 'k', at: 1 });
    await new Promise((resolve) => setTimeout(resolve, 32));
    await Promise.all([first, buffer.submit('k', { key: 'k', at: 2 })]);
    expect(maxRunning()).toBe(1);
  });

  it('refuses the rest of a window after a failure instead of processing out of order', async () => {
    const { buffer, seen } = recorder((item) => item.at === 2);
    const outcomes = await Promise.allSettled([1, 2, 3].map((at) => buffer.submit('k', { key: 'k', at })));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    expect(seen).toEqual(['k:1']);
  });

  it('flushAll processes held items at once', async () => {
    const buffer = new OrderingBuffer<Item, number>({
      holdMs: 60_000,
      compare: (a, b) => a.at - b.at,
      process: async (_key, item) => item.at,
    });
    const pending = buffer.submit('k', { key: 'k', at: 7 });
    expect(buffer.pending).toBe(1);
    await buffer.flushAll();
    await expect(pending).resolves.toBe(7);
    expect(buffer.pending).toBe(0);
  });
});
