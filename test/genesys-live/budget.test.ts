// Catch-up reads run with bounded concurrency within the org's API budget; a 429 delays the request that got
// it, not the pass; an open conversation with no news is re-read again after the stale time.
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { OpenConversationView } from '../../src/core/adapter.js';
import { budgeted, RequestBudget } from '../../adapters/genesys/live/budget.js';
import { Reconciler } from '../../adapters/genesys/live/reconcile.js';
import { SdkGenesysApi } from '../../adapters/genesys/live/sdk.js';
import { StaleSweep } from '../../adapters/genesys/live/stale-sweep.js';
import type { GenesysSim } from '../../src/sim/genesys/server.js';
import { SIM_CLIENT, startSim } from './helpers.js';

const silent = pino({ level: 'silent' });
let sim: GenesysSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('API budget', () => {
  it('never runs more calls at once than allowed, and spends at most the per-minute budget', async () => {
    const budget = new RequestBudget({ requestsPerMinute: 1200, concurrency: 3 });
    let running = 0;
    let most = 0;
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: 45 }, () =>
        budget.run(async () => {
          running += 1;
          most = Math.max(most, running);
          await new Promise((res) => setTimeout(res, 5));
          running -= 1;
        }),
      ),
    );
    expect(most).toBeLessThanOrEqual(3);
    // 1200/min = 20 a second: 45 calls need at least two more seconds after the first twenty.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1900);
  });

  it('send-time lookups (message text, names) go before the catch-up reads still waiting', async () => {
    const budget = new RequestBudget({ requestsPerMinute: 60_000, concurrency: 1 });
    const order: string[] = [];
    const task = (name: string) => async (): Promise<void> => {
      order.push(name);
      await new Promise((res) => setTimeout(res, 5));
    };
    const all = [1, 2, 3, 4].map((i) => budget.run(task(`reread-${i}`)));
    all.push(budget.run(task('message-text'), 1));
    await Promise.all(all);
    expect(order.indexOf('message-text')).toBeLessThanOrEqual(1);
  });

  it('a 429 delays the read that got it, not the pass (real SDK, simulated org)', async () => {
    sim = await startSim();
    const s = sim;
    const ids = Array.from({ length: 6 }, (_, i) => `c0ffee00-0000-4000-8000-00000000b00${i}`);
    for (const id of ids) s.org.record({ id, participants: [{ id: `${id}-cust`, purpose: 'customer', startTime: new Date().toISOString(), calls: [{ id: `${id}-call`, state: 'connected' }] }] });
    const api = new SdkGenesysApi({ ...SIM_CLIENT, environment: 'mypurecloud.com', gatewayUrl: s.url, requestTimeoutMs: 5000, rateLimitRetries: 3, logger: silent, signal: new AbortController().signal });
    await api.login();
    const reads = budgeted(api, new RequestBudget({ requestsPerMinute: 6000, concurrency: 4 }));
    const doneAt = new Map<string, number>();
    const reconciler = new Reconciler({
      api: reads,
      logger: silent,
      signal: new AbortController().signal,
      queueIds: () => [],
      userIds: [],
      marginMs: 0,
      deliverGapConversations: true,
      openConversations: async () => ids,
      isKnown: () => true,
      apply: async (body) => void doneAt.set(String((body as { id?: unknown }).id), Date.now()),
      rereading: () => undefined,
      reread: () => undefined,
    });
    s.rateLimit(1, 1);
    const t0 = Date.now();
    await reconciler.request(null, 'test');
    const times = ids.map((id) => (doneAt.get(id) ?? Infinity) - t0).sort((a, b) => a - b);
    expect(s.counters.rateLimited).toBe(1);
    expect(times.slice(0, 5).every((t) => t < 900)).toBe(true);
    expect(times[5]).toBeGreaterThanOrEqual(1000);
  });
});

describe('stale sweep', () => {
  it('re-reads an open conversation with no news for the stale time, then not again before another stale time', async () => {
    let now = 10_000;
    const refreshed: string[] = [];
    const stale: number[] = [];
    const open: OpenConversationView[] = [
      { id: 'old', platformIds: ['old', 'old-redial'], updatedAt: 1_000 },
      { id: 'fresh', platformIds: ['fresh'], updatedAt: 9_500 },
    ];
    const sweep = new StaleSweep({
      staleMs: 5_000,
      open: async () => open,
      busy: () => false,
      refresh: async (id) => {
        refreshed.push(id);
        return true;
      },
      logger: silent,
      onStale: (n) => stale.push(n),
      now: () => now,
    });
    expect(await sweep.sweep()).toBe(2);
    expect(refreshed).toEqual(['old', 'old-redial']);
    now += 1_000;
    expect(await sweep.sweep()).toBe(0);
    now += 5_000;
    expect(await sweep.sweep()).toBe(3); // 'fresh' has gone stale too
    expect(refreshed.slice(2).sort()).toEqual(['fresh', 'old', 'old-redial']);
    expect(stale).toEqual([1, 1, 2]);
  });
});
