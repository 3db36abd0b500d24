// Goals 2 and 4 live: `agentai-bridge run` (its own process, Genesys adapter over the websocket, LOG_LEVEL=info,
// BRIDGE_STORE_SYNC=full) fed by the simulated org at a fixed offered rate (frame-source.ts), against the
// direct loop (live-direct.ts) fed the same way in the same run. Latency is frame published → hook received
// by the receiver, both clocks in this process; only frames of the measured window count (after a warm-up),
// and a frame whose hook never came counts as infinitely late. The backlog (utterance frames published and
// not yet answered) is sampled every second: it must not grow.
import type { FakeAgentAi } from '../src/sim/agentai-receiver.js';
import type { GenesysSim } from '../src/sim/genesys/server.js';
import { benchFile, CLI, profileFlags, quantile, scratchDir, sleep, spread, startChild, until, type Running, type Spread } from './common.js';
import { BENCH_QUEUE, FrameSource, seqOfQuery } from './frame-source.js';
import { daemonEnv, GENESYS, withWorld } from './world.js';


export interface LiveOptions {
  readonly runs: number;
  readonly rate?: number;
  readonly seconds?: number;
  readonly warmupSeconds?: number;
  readonly lanes?: number;
  readonly utterances?: number;
  /** Write a CPU profile of each bridge run here (node --cpu-prof). */
  readonly profileDir?: string;
  readonly log?: (line: string) => void;
}

export interface LiveRun {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** Utterance frames of the window that reached a socket but never produced a hook. */
  readonly missing: number;
  /** Utterance frames of the window that reached no socket (subscription not in place yet). */
  readonly unsubscribed: number;
  readonly frames: number;
  /** Message hooks received per second during the window (goal 4: delivery while ingesting). */
  readonly hooksPerSecond: number;
  readonly backlogFirst: number;
  readonly backlogLast: number;
  readonly backlogMax: number;
  /** Frame → NA entry hook. */
  readonly entryP99: number;
}

export interface LiveFigures {
  readonly rate: number;
  readonly seconds: number;
  readonly bridge: { readonly p50: Spread; readonly p99: Spread; readonly max: Spread; readonly hooksPerSecond: Spread; readonly backlogLast: Spread; readonly backlogMax: Spread; readonly entryP99: Spread; readonly missing: Spread };
  readonly direct: { readonly p50: Spread; readonly p99: Spread; readonly max: Spread };
  readonly runs: readonly LiveRun[];
}

async function drive(sim: GenesysSim, fake: FakeAgentAi, o: Required<Omit<LiveOptions, 'runs' | 'log' | 'profileDir'>>): Promise<LiveRun> {
  const source = new FrameSource(sim, { rate: o.rate, lanes: o.lanes, utterances: o.utterances });
  const t0 = Date.now();
  const from = t0 + o.warmupSeconds * 1000;
  const to = from + o.seconds * 1000;
  const backlog: number[] = [];
  source.start();
  const answered = (): Set<number> => {
    const seqs = new Set<number>();
    for (const c of fake.accepted()) {
      const body = c.body;
      const seq = typeof body === 'object' && body !== null && 'query' in body ? seqOfQuery(body.query) : undefined;
      if (seq !== undefined) seqs.add(seq);
    }
    return seqs;
  };
  while (Date.now() < to) {
    await sleep(1000);
    if (Date.now() < from) continue;
    const done = answered();
    backlog.push(source.frames.filter((f) => f.kind === 'utterance' && f.delivered > 0 && !done.has(f.seq)).length);
  }
  source.stop();
  const inWindow = source.frames.filter((f) => f.at >= from && f.at < to);
  const utterances = inWindow.filter((f) => f.kind === 'utterance');
  const reached = utterances.filter((f) => f.delivered > 0);
  await until(() => answered().size >= reached.length, 15_000, 'the last hooks').catch(() => undefined);
  const publishedAt = new Map(utterances.map((f) => [f.seq, f.at]));
  const latencies = new Map<number, number>();
  let received = 0;
  for (const c of fake.accepted()) {
    const body = c.body;
    const seq = typeof body === 'object' && body !== null && 'query' in body ? seqOfQuery(body.query) : undefined;
    const at = seq !== undefined ? publishedAt.get(seq) : undefined;
    if (seq === undefined || at === undefined || latencies.has(seq)) continue;
    latencies.set(seq, c.receivedAt - at);
    if (c.receivedAt >= from && c.receivedAt < to) received += 1;
  }
  const values = reached.map((f) => latencies.get(f.seq) ?? Infinity);
  const joins = new Map(inWindow.filter((f) => f.kind === 'join').map((f) => [f.conversationId, f.at]));
  const entries: number[] = [];
  for (const c of fake.accepted()) {
    const at = joins.get(c.conversationId);
    if (at !== undefined && c.label.startsWith('NA entry')) {
      entries.push(c.receivedAt - at);
      joins.delete(c.conversationId);
    }
  }
  return {
    p50: quantile(values, 0.5),
    p99: quantile(values, 0.99),
    max: Math.max(...values),
    missing: values.filter((v) => v === Infinity).length,
    unsubscribed: utterances.length - reached.length,
    frames: inWindow.length,
    hooksPerSecond: received / o.seconds,
    backlogFirst: backlog[0] ?? 0,
    backlogLast: backlog[backlog.length - 1] ?? 0,
    backlogMax: Math.max(0, ...backlog),
    entryP99: quantile([...entries, ...[...joins.values()].map(() => Infinity)], 0.99),
  };
}

function daemon(sim: GenesysSim, fake: FakeAgentAi, profileDir: string | undefined): Running {
  return startChild([...profileFlags(profileDir), CLI, 'run'], { env: daemonEnv(sim, fake, scratchDir('live-data')), keep: (l) => !l.includes('"level":"info"') });
}

export async function benchLive(options: LiveOptions): Promise<LiveFigures> {
  const o = { rate: 1000, seconds: 30, warmupSeconds: 5, lanes: 400, utterances: 20, ...options };
  const log = options.log ?? (() => undefined);
  const bridgeRuns: LiveRun[] = [];
  const directRuns: LiveRun[] = [];
  const queueTopic = `v2.routing.queues.${BENCH_QUEUE.id}.conversations`;
  for (let run = 0; run < o.runs; run++) {
    const bridge = await withWorld(async (sim, fake) => {
      const d = daemon(sim, fake, options.profileDir);
      try {
        await d.waitFor(/"msg":"agentai-bridge running"/, 30_000);
        await until(() => sim.subscribedTopics().has(queueTopic), 10_000, `the queue subscription (have: ${[...sim.subscribedTopics()].join(', ')})`);
        return await drive(sim, fake, o);
      } finally {
        await d.stop();
      }
    });
    bridgeRuns.push(bridge);
    const direct = await withWorld(async (sim, fake) => {
      const d = startChild([benchFile('live-direct'), sim.url, GENESYS.clientId, GENESYS.clientSecret, fake.url, BENCH_QUEUE.id, '16'], { env: { PATH: process.env.PATH } });
      try {
        await d.waitFor(/^ready$/, 10_000);
        return await drive(sim, fake, o);
      } finally {
        await d.stop();
      }
    });
    directRuns.push(direct);
    log(
      `  live run ${run + 1}: bridge p50 ${bridge.p50} ms p99 ${bridge.p99} ms max ${bridge.max} ms, ${bridge.missing} missing, ${bridge.unsubscribed} before subscription, ` +
        `${bridge.hooksPerSecond.toFixed(0)} messages/s, backlog ${bridge.backlogFirst} → ${bridge.backlogLast} (max ${bridge.backlogMax}), entry p99 ${bridge.entryP99} ms; ` +
        `direct p50 ${direct.p50} ms p99 ${direct.p99} ms max ${direct.max} ms`,
    );
  }
  const pick = (runs: readonly LiveRun[], key: keyof LiveRun): Spread => spread(runs.map((r) => r[key]));
  return {
    rate: o.rate,
    seconds: o.seconds,
    bridge: {
      p50: pick(bridgeRuns, 'p50'),
      p99: pick(bridgeRuns, 'p99'),
      max: pick(bridgeRuns, 'max'),
      hooksPerSecond: pick(bridgeRuns, 'hooksPerSecond'),
      backlogLast: pick(bridgeRuns, 'backlogLast'),
      backlogMax: pick(bridgeRuns, 'backlogMax'),
      entryP99: pick(bridgeRuns, 'entryP99'),
      missing: pick(bridgeRuns, 'missing'),
    },
    direct: { p50: pick(directRuns, 'p50'), p99: pick(directRuns, 'p99'), max: pick(directRuns, 'max') },
    runs: bridgeRuns,
  };
}
