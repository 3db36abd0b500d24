// Goal 5: `agentai-bridge run` restarted on a store holding 100,000 pending hook calls (conversations of 12
// facts each, queued by the real pipeline and never delivered). Measured: spawn → first hook received, and
// the drain rate from first to last hook, against undici alone POSTing the same bodies (raw-post.ts) to the
// same receiver over the same connections in the same run.
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../src/config/load.js';
import type { Fact } from '../src/core/facts.js';
import { createLogger } from '../src/observability/logger.js';
import { Bridge } from '../src/runtime/bridge.js';
import { benchFile, bridgeEnv, CLI, profileFlags, runChild, scratchDir, spread, startChild, until, type Spread } from './common.js';
import { daemonEnv, withWorld } from './world.js';

/** One conversation: agent joins, eight utterances, agent and customer leave, it ends: 12 hook calls. */
function conversation(id: string, t0: number): Fact[] {
  const base = { conversationId: id, source: 'genesys', experience: 'voice' as const };
  const agent = { identity: 'be7c0000-0000-4000-8000-000000000100', name: 'Agent 0', queueId: 'q1' };
  const facts: Fact[] = [{ ...base, type: 'agent.joined', dedupeKey: `${id}:a:j`, at: t0, leg: 'a', via: 'routing', agent }];
  for (let i = 0; i < 8; i++) {
    facts.push({ ...base, type: 'message', dedupeKey: `${id}:m${i}`, at: t0 + 1000 + i * 1000, author: i % 2 ? 'AGENT' : 'USER', text: `utterance ${i}`, messageId: `${id}-m${i}` });
  }
  facts.push(
    { ...base, type: 'agent.left', dedupeKey: `${id}:a:l`, at: t0 + 20_000, leg: 'a', reason: 'hangup', agent },
    { ...base, type: 'customer.left', dedupeKey: `${id}:c:l`, at: t0 + 20_000, reason: 'hangup' },
    { ...base, type: 'conversation.ended', dedupeKey: `${id}:end`, at: t0 + 20_001 },
  );
  return facts;
}

/** A data dir whose store holds at least `calls` pending hook calls; returns how many it holds. */
async function seed(dataDir: string, calls: number): Promise<number> {
  const config = loadConfig({ env: bridgeEnv('http://127.0.0.1:9', dataDir, { BRIDGE_STORE_SYNC: 'normal' }) });
  const silent = new Writable({ write: (_c, _e, done) => done() });
  const bridge = new Bridge({ config, logger: createLogger({ level: 'warn', destination: silent, pretty: false }) });
  const t0 = Date.now() - 3600_000;
  const conversations = Math.ceil(calls / 12);
  for (let start = 0; start < conversations; start += 500) {
    const slice = Array.from({ length: Math.min(500, conversations - start) }, (_, i) => conversation(`5eed0000-0000-4000-8000-${(start + i).toString(16).padStart(12, '0')}`, t0));
    await Promise.all(slice.map(async (facts) => {
      for (const f of facts) await bridge.pipeline.ingest(f);
    }));
  }
  const depth = (await bridge.store.stats()).outboxDepth;
  await bridge.stop(0);
  return depth;
}

export interface RestartFigures {
  readonly pending: number;
  readonly firstHookMs: Spread;
  /** Reference: the CLI starting and exiting with nothing to do (`--help`), measured just before each run. */
  readonly bareStartMs: Spread;
  readonly drainRate: Spread;
  readonly rawRate: Spread;
  readonly ratio: Spread;
}

export async function benchRestart(options: { runs: number; calls?: number; profileDir?: string; log?: (line: string) => void }): Promise<RestartFigures> {
  const seedDir = scratchDir('restart-seed');
  const pending = await seed(seedDir, options.calls ?? 100_000);
  options.log?.(`  restart: seeded ${pending} pending calls`);
  const bodiesFile = join(seedDir, 'bodies.jsonl');
  const first: number[] = [];
  const bare: number[] = [];
  const drain: number[] = [];
  const raw: number[] = [];
  try {
    for (let run = 0; run < options.runs; run++) {
      await withWorld(async (sim, fake) => {
        bare.push((await runChild([CLI, '--help'], { env: { PATH: process.env.PATH } })).ms);
        const dataDir = scratchDir('restart-data');
        cpSync(seedDir, dataDir, { recursive: true });
        const spawnedAt = Date.now();
        const d = startChild([...profileFlags(options.profileDir), CLI, 'run'], { env: daemonEnv(sim, fake, dataDir), keep: (l) => !l.includes('"level":"info"') });
        try {
          await until(() => fake.accepted().length >= pending, 900_000, `${pending} hooks`);
        } finally {
          await d.stop();
          rmSync(dataDir, { recursive: true, force: true });
        }
        const calls = fake.accepted();
        const times = calls.map((c) => c.receivedAt);
        const firstAt = Math.min(...times);
        const lastAt = Math.max(...times);
        first.push(firstAt - spawnedAt);
        drain.push(calls.length / ((lastAt - firstAt) / 1000));
        if (run === 0) writeFileSync(bodiesFile, calls.map((c) => JSON.stringify(c.body)).join('\n') + '\n');
        fake.reset();
        const r = await runChild([benchFile('raw-post'), fake.url, bodiesFile, '16', '32'], { env: { PATH: process.env.PATH } });
        const reported = JSON.parse(r.stdout.find((l) => l.startsWith('{')) ?? '{}') as { ms?: number; ok?: number };
        raw.push((reported.ok ?? 0) / ((reported.ms ?? Infinity) / 1000));
        options.log?.(`  restart run ${run + 1}: first hook ${firstAt - spawnedAt} ms after spawn (bare CLI start ${(bare[bare.length - 1] ?? NaN).toFixed(0)} ms), drain ${(drain[drain.length - 1] ?? 0).toFixed(0)} calls/s, undici ${(raw[raw.length - 1] ?? 0).toFixed(0)} calls/s`);
      });
    }
  } finally {
    rmSync(seedDir, { recursive: true, force: true });
  }
  return { pending, firstHookMs: spread(first), bareStartMs: spread(bare), drainRate: spread(drain), rawRate: spread(raw), ratio: spread(drain.map((d, i) => d / (raw[i] ?? Infinity))) };
}
