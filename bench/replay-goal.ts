// Goals 1, 3 and 4 on the replay path: `agentai-bridge replay` of 2,000 cold-chain conversations (16,000 hook
// calls) at BRIDGE_STORE_SYNC=full, as its own process, against undici alone POSTing the same bodies to the
// same receiver over the same connections (raw-post.ts), alternating within each run. One further replay
// under strace counts fsyncs per hook call; goal 4's ingest and delivery timelines come from the replay's own
// hook.queued/hook.delivered lines, which are debug lines: a further replay at LOG_LEVEL=debug writes them (the
// timed runs stay at the operator's default, info).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { FakeAgentAi } from '../src/sim/agentai-receiver.js';
import { BOT, benchFile, bridgeEnv, CLI, profileFlags, runChild, scratchDir, spread, type Spread } from './common.js';
import { writeColdChainWorkload } from './cold-chain.js';

export interface ReplayFigures {
  readonly calls: number;
  readonly frames: number;
  readonly bridgeRate: Spread;
  readonly rawRate: Spread;
  readonly ratio: Spread;
  readonly fsyncsPerCall: number | undefined;
  /** Goal 4: calls delivered per second while facts were still being queued, and the share of 100 ms slices with a delivery. */
  readonly deliveredWhileIngesting: Spread;
  readonly slicesWithDelivery: Spread;
  readonly ingestWindowMs: Spread;
  readonly violations: number;
  /** CPU (user + system) per hook call: the bridge's process, and undici's. Independent of the machine's load. */
  readonly bridgeCpuUsPerCall: Spread;
  readonly rawCpuUsPerCall: Spread;
}

const CONNECTIONS = '16';
const MAX_IN_FLIGHT = '32';

interface Timeline {
  queued: number[];
  delivered: number[];
}

const TIME = /"time":"([^"]+)"/;

function timelineCollector(): { timeline: Timeline; onLine: (line: string) => void } {
  const timeline: Timeline = { queued: [], delivered: [] };
  return {
    timeline,
    onLine(line) {
      const kind = line.includes('"event":"hook.queued"') ? timeline.queued : line.includes('"event":"hook.delivered"') ? timeline.delivered : undefined;
      const t = kind ? TIME.exec(line)?.[1] : undefined;
      if (kind && t) kind.push(Date.parse(t));
    },
  };
}

/** Delivery while facts were still being queued: rate, and the share of 100 ms slices with at least one delivery. */
function overlap(t: Timeline): { rate: number; slices: number; windowMs: number } {
  const start = Math.min(...t.queued);
  const end = Math.max(...t.queued);
  const windowMs = Math.max(1, end - start);
  const inside = t.delivered.filter((d) => d >= start && d <= end);
  const slices = Math.max(1, Math.ceil(windowMs / 100));
  const hit = new Set(inside.map((d) => Math.floor((d - start) / 100)));
  return { rate: inside.length / (windowMs / 1000), slices: hit.size / slices, windowMs };
}

async function countFsyncs(file: string, env: (dir: string) => NodeJS.ProcessEnv): Promise<number | undefined> {
  const dir = scratchDir('strace');
  const out = join(dir, 'strace.txt');
  const r = await runChild(['-f', '-c', '-o', out, '-e', 'trace=fsync,fdatasync', process.execPath, CLI, 'replay', '--data-dir', dir, file], {
    env: env(dir),
    command: 'strace',
    keep: () => false,
  });
  if (r.code !== 0) return undefined;
  let calls = 0;
  for (const line of readFileSync(out, 'utf8').split('\n')) {
    const m = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(fsync|fdatasync)\s*$/.exec(line);
    if (m?.[1]) calls += Number(m[1]);
  }
  rmSync(dir, { recursive: true, force: true });
  return calls;
}

export interface ReplayBenchOptions {
  readonly runs: number;
  readonly conversations?: number;
  /** Write a CPU profile of each bridge run here (node --cpu-prof). */
  readonly profileDir?: string;
  readonly log?: (line: string) => void;
}

export async function benchReplay(options: ReplayBenchOptions): Promise<ReplayFigures> {
  const { runs, conversations = 2000, log = () => undefined } = options;
  const profile = profileFlags(options.profileDir);
  const dir = scratchDir('replay');
  const workload = writeColdChainWorkload(join(dir, 'cold-chain-x.jsonl'), conversations);
  const bodiesFile = join(dir, 'bodies.jsonl');
  const fake = await FakeAgentAi.start({ bots: [BOT] });
  const env = (dataDir: string): NodeJS.ProcessEnv => bridgeEnv(fake.url, dataDir);
  const bridgeRates: number[] = [];
  const rawRates: number[] = [];
  const ratios: number[] = [];
  const rates: number[] = [];
  const slices: number[] = [];
  const windows: number[] = [];
  const bridgeCpu: number[] = [];
  const rawCpu: number[] = [];
  let calls = 0;
  let violations = 0;
  try {
    for (let run = 0; run < runs; run++) {
      fake.reset();
      const dataDir = scratchDir('replay-data');
      const bridge = await runChild([...profile, CLI, 'replay', '--data-dir', dataDir, workload.path], {
        env: env(dataDir),
        keep: (l) => !l.startsWith('{'),
      });
      const accepted = fake.accepted();
      calls = accepted.length;
      violations += fake.violations().length;
      if (bridge.code !== 0) throw new Error(`bench: replay exited ${bridge.code}:\n${[...bridge.stdout, ...bridge.stderr].slice(-20).join('\n')}`);
      if (run === 0) writeFileSync(bodiesFile, accepted.map((c) => JSON.stringify(c.body)).join('\n') + '\n');
      rmSync(dataDir, { recursive: true, force: true });
      fake.reset();
      const raw = await runChild([benchFile('raw-post'), fake.url, bodiesFile, CONNECTIONS, MAX_IN_FLIGHT], { env: { PATH: process.env.PATH } });
      const rawCalls = fake.accepted().length;
      const bridgeRate = calls / (bridge.ms / 1000);
      const rawRate = rawCalls / (raw.ms / 1000);
      bridgeRates.push(bridgeRate);
      rawRates.push(rawRate);
      ratios.push(bridgeRate / rawRate);
      if (bridge.cpuSeconds !== undefined) bridgeCpu.push((bridge.cpuSeconds * 1e6) / calls);
      if (raw.cpuSeconds !== undefined) rawCpu.push((raw.cpuSeconds * 1e6) / rawCalls);
      log(`  replay run ${run + 1}: bridge ${calls} calls in ${bridge.ms.toFixed(0)} ms, undici ${rawCalls} in ${raw.ms.toFixed(0)} ms: ratio ${(bridgeRate / rawRate).toFixed(2)}; CPU per call ${bridge.cpuSeconds !== undefined ? ((bridge.cpuSeconds * 1e6) / calls).toFixed(0) : '?'} µs vs ${raw.cpuSeconds !== undefined ? ((raw.cpuSeconds * 1e6) / rawCalls).toFixed(0) : '?'} µs; load ${loadavg()[0]?.toFixed(1)}`);
    }
    {
      fake.reset();
      const dataDir = scratchDir('replay-data');
      const { timeline, onLine } = timelineCollector();
      const traced = await runChild([CLI, 'replay', '--data-dir', dataDir, workload.path], { env: { ...env(dataDir), LOG_LEVEL: 'debug' }, keep: () => false, onLine });
      rmSync(dataDir, { recursive: true, force: true });
      if (traced.code !== 0) throw new Error(`bench: replay at LOG_LEVEL=debug exited ${traced.code}`);
      const o = overlap(timeline);
      rates.push(o.rate);
      slices.push(o.slices);
      windows.push(o.windowMs);
      log(`  replay at LOG_LEVEL=debug (goal 4): ingest window ${o.windowMs} ms, ${o.rate.toFixed(0)} calls/s delivered meanwhile`);
    }
    const fsyncs = await countFsyncs(workload.path, env);
    return {
      calls,
      frames: workload.frames,
      bridgeRate: spread(bridgeRates),
      rawRate: spread(rawRates),
      ratio: spread(ratios),
      fsyncsPerCall: fsyncs === undefined ? undefined : fsyncs / calls,
      deliveredWhileIngesting: spread(rates),
      slicesWithDelivery: spread(slices),
      ingestWindowMs: spread(windows),
      violations,
      bridgeCpuUsPerCall: spread(bridgeCpu),
      rawCpuUsPerCall: spread(rawCpu),
    };
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
