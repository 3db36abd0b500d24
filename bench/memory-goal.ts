// Goal 6: heap and SQLite bytes per open idle conversation at 10,000 open conversations. The daemon
// (memory-child.ts) is measured after start-up, then after the simulated org has opened `conversations`
// voice calls with an agent connected (each delivered its NA entry and stays open, idle); the difference
// divided by the count is the cost of one. The reference is the same daemon before any conversation.
import { fork } from 'node:child_process';
import { rmSync } from 'node:fs';
import { SimConversation } from '../src/sim/genesys/conversation.js';
import { benchFile, scratchDir, sleep, spread, until, type Spread } from './common.js';
import { BENCH_AGENTS, BENCH_QUEUE } from './frame-source.js';
import { daemonEnv, withWorld } from './world.js';

interface Measured {
  readonly heapUsed: number;
  readonly rss: number;
  readonly sqliteBytes: number;
}

export interface MemoryFigures {
  readonly conversations: number;
  readonly heapPerConversation: Spread;
  readonly rssPerConversation: Spread;
  readonly sqlitePerConversation: Spread;
  readonly baseline: { readonly heapUsed: Spread; readonly rss: Spread; readonly sqliteBytes: Spread };
}

export async function benchMemory(options: { runs: number; conversations?: number; log?: (line: string) => void }): Promise<MemoryFigures> {
  const n = options.conversations ?? 10_000;
  const heap: number[] = [];
  const rss: number[] = [];
  const sqlite: number[] = [];
  const base: Measured[] = [];
  for (let run = 0; run < options.runs; run++) {
    const dataDir = scratchDir('memory-data');
    await withWorld(async (sim, fake) => {
      const child = fork(benchFile('memory-child'), [], { env: daemonEnv(sim, fake, dataDir), execArgv: ['--expose-gc'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      const replies: Measured[] = [];
      let ready = false;
      child.on('message', (m: unknown) => {
        if (typeof m !== 'object' || m === null || !('kind' in m)) return;
        if (m.kind === 'ready') ready = true;
        if (m.kind === 'measured' && 'heapUsed' in m && 'rss' in m && 'sqliteBytes' in m) {
          replies.push({ heapUsed: Number(m.heapUsed), rss: Number(m.rss), sqliteBytes: Number(m.sqliteBytes) });
        }
      });
      try {
        await until(() => ready, 60_000, 'the memory daemon');
        await until(() => sim.subscribedTopics().has(`v2.routing.queues.${BENCH_QUEUE.id}.conversations`), 10_000, 'the queue subscription');
        child.send('measure');
        await until(() => replies.length === 1, 30_000, 'the baseline');
        const t0 = Date.now();
        for (let i = 0; i < n; i++) {
          const id = `3e300000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
          const c = new SimConversation(id, Date.now(), 'voice', () => [`v2.routing.queues.${BENCH_QUEUE.id}.conversations`]);
          const user = BENCH_AGENTS[i % BENCH_AGENTS.length] ?? BENCH_AGENTS[0];
          const customer = c.add('customer', 0, { name: 'Customer', queueId: BENCH_QUEUE.id, address: `tel:+1555${String(1000000 + i).slice(-7)}` });
          c.connect(customer, 0);
          const agent = c.add('agent', 0, { name: user?.name ?? 'Agent', userId: user?.id ?? 'agent', queueId: BENCH_QUEUE.id });
          c.connect(agent, 0);
          c.emit(0);
          const step = c.steps[0];
          if (step) sim.publish(step.topic, step.body);
          // About 1,000 new calls a second: a busy contact centre's morning, not a flood.
          if (i % 100 === 99) await sleep(Math.max(0, t0 + (i + 1) - Date.now()));
        }
        await until(() => fake.accepted().length >= n, 180_000, `${n} NA entries`);
        await sleep(2000);
        child.send('measure');
        await until(() => replies.length === 2, 60_000, 'the measurement');
        const [before, after] = replies;
        if (!before || !after) throw new Error('bench: memory measurement missing');
        base.push(before);
        heap.push((after.heapUsed - before.heapUsed) / n);
        rss.push((after.rss - before.rss) / n);
        sqlite.push((after.sqliteBytes - before.sqliteBytes) / n);
        options.log?.(`  memory run ${run + 1}: ${n} open conversations: heap ${((after.heapUsed - before.heapUsed) / n).toFixed(0)} B, RSS ${((after.rss - before.rss) / n).toFixed(0)} B, SQLite ${((after.sqliteBytes - before.sqliteBytes) / n).toFixed(0)} B each`);
      } finally {
        child.send('stop');
        await new Promise((resolve) => child.on('exit', resolve));
        if (!process.env.BENCH_KEEP) rmSync(dataDir, { recursive: true, force: true });
        else options.log?.(`  kept ${dataDir}`);
      }
    });
  }
  return {
    conversations: n,
    heapPerConversation: spread(heap),
    rssPerConversation: spread(rss),
    sqlitePerConversation: spread(sqlite),
    baseline: { heapUsed: spread(base.map((b) => b.heapUsed)), rss: spread(base.map((b) => b.rss)), sqliteBytes: spread(base.map((b) => b.sqliteBytes)) },
  };
}
