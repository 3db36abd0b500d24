// `npm run bench`: the hot paths, measured. Not a test: it prints figures, it asserts nothing.
//  1. sequencer: pure steps per second (a standard conversation of 12 facts, repeated)
//  2. ingest: facts per second through pipeline + SQLite (one transaction per fact, synchronous=FULL)
//  3. end to end: hook calls per second and fact-to-hook latency against the fake Agent AI over HTTP,
//     many conversations in parallel
//  4. failover (bench/failover.ts): replicas on PostgreSQL, time from killing or stopping the leader to the
//     next replica's subscription
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { loadConfig } from '../src/config/load.js';
import type { Fact } from '../src/core/facts.js';
import { initialState, step, type SequencerSettings } from '../src/core/sequencer.js';
import { createLogger } from '../src/observability/logger.js';
import { Bridge } from '../src/runtime/bridge.js';
import { FakeAgentAi } from '../src/sim/agentai-receiver.js';
import { benchFailover, benchPostgresIngest } from './failover.js';

const settings: SequencerSettings = {
  settleMs: 10_000, transferSettleMs: 300_000, redialWindowMs: 60_000, summary: true, defaultLanguage: 'en', defaultExperience: 'voice',
  earlyMessages: 'flush', earlyMessageLimit: 50, callbackEntry: 'NA',
};

function conversation(id: string, t0: number): Fact[] {
  const base = { conversationId: id, source: 'bench', experience: 'voice' as const };
  const agent = (who: string) => ({ identity: who, name: `Agent ${who}`, queueId: 'q1' });
  const facts: Fact[] = [
    { ...base, type: 'agent.joined', dedupeKey: `${id}:a:j`, at: t0, leg: 'a', via: 'routing', agent: agent('A') },
  ];
  for (let i = 0; i < 8; i++) {
    facts.push({ ...base, type: 'message', dedupeKey: `${id}:m${i}`, at: t0 + 1000 + i * 1000, author: i % 2 ? 'AGENT' : 'USER', text: `utterance ${i}`, messageId: `${id}-m${i}` });
  }
  facts.push(
    { ...base, type: 'agent.left', dedupeKey: `${id}:a:l`, at: t0 + 20_000, leg: 'a', reason: 'hangup', agent: agent('A') },
    { ...base, type: 'customer.left', dedupeKey: `${id}:c:l`, at: t0 + 20_000, reason: 'hangup' },
    { ...base, type: 'conversation.ended', dedupeKey: `${id}:end`, at: t0 + 20_001 },
  );
  return facts;
}

function benchSequencer(): void {
  const facts = conversation('c', Date.now());
  const rounds = 20_000;
  const start = performance.now();
  for (let r = 0; r < rounds; r++) {
    let state = initialState();
    for (const f of facts) state = step(state, f, settings).state;
  }
  const ms = performance.now() - start;
  const steps = rounds * facts.length;
  console.log(`sequencer      ${Math.round(steps / (ms / 1000)).toLocaleString('en')} steps/s  (${steps.toLocaleString('en')} steps in ${ms.toFixed(0)} ms)`);
}

const silent = new Writable({ write: (_c, _e, done) => done() });

async function benchIngestAndDelivery(): Promise<void> {
  const bot = { botId: 'st-bench', clientId: 'cs-bench', clientSecret: 'bench-secret-0123456789' };
  const fake = await FakeAgentAi.start({ bots: [bot] });
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-'));
  const config = loadConfig({
    env: {
      AGENTAI_URL: fake.url, AGENTAI_BOT_ID: bot.botId, AGENTAI_CLIENT_ID: bot.clientId, AGENTAI_CLIENT_SECRET: bot.clientSecret,
      BRIDGE_DATA_DIR: dataDir, LOG_LEVEL: 'info', DELIVERY_MAX_IN_FLIGHT: '32', BRIDGE_STORE_SYNC: process.env.BRIDGE_STORE_SYNC ?? 'full',
    },
  });
  const bridge = new Bridge({ config, logger: createLogger({ level: 'info', destination: silent, pretty: false }) });
  const conversations = 400;
  const t0 = Date.now();
  const all = Array.from({ length: conversations }, (_, i) => conversation(`bench-${i}`, t0));
  const facts = all.flat();

  // Ingest alone: delivery not started yet, so this is the store + sequencer cost per fact.
  const startIngest = performance.now();
  for (const f of facts) await bridge.pipeline.ingest(f);
  const ingestMs = performance.now() - startIngest;
  console.log(`ingest         ${Math.round(facts.length / (ingestMs / 1000)).toLocaleString('en')} facts/s  (${facts.length.toLocaleString('en')} facts, one SQLite transaction each, synchronous=${config.bridge.storeSync})`);

  // Delivery of everything queued: parallel across conversations, FIFO within each.
  const startDelivery = performance.now();
  bridge.start({ timers: false });
  await bridge.dispatcher.whenIdle();
  const deliveryMs = performance.now() - startDelivery;
  const calls = bridge.dispatcher.counts.delivered;
  console.log(`delivery       ${Math.round(calls / (deliveryMs / 1000)).toLocaleString('en')} hook calls/s  (${calls.toLocaleString('en')} calls to the fake Agent AI over HTTP, ${conversations} conversations, 32 in flight)`);

  // Live-like latency: a fresh batch ingested while delivery runs; only this batch's latencies count.
  const histogram = async (): Promise<{ count: number; sum: number }> => {
    const values = (await bridge.metrics.latency.get()).values;
    const pick = (name: string): number => values.filter((v) => v.metricName === name).reduce((a, v) => a + v.value, 0);
    return { count: pick('bridge_fact_to_hook_seconds_count'), sum: pick('bridge_fact_to_hook_seconds_sum') };
  };
  const h0 = await histogram();
  const live = Array.from({ length: 100 }, (_, i) => conversation(`live-${i}`, Date.now()));
  const before = fake.calls().length;
  const startLive = performance.now();
  await Promise.all(live.map(async (facts) => {
    for (const f of facts) await bridge.pipeline.ingest({ ...f, at: Date.now() });
  }));
  await bridge.dispatcher.whenIdle();
  const liveMs = performance.now() - startLive;
  const h1 = await histogram();
  const mean = ((h1.sum - h0.sum) / Math.max(1, h1.count - h0.count)) * 1000;
  console.log(`live           ${fake.calls().length - before} calls for 100 concurrent conversations in ${liveMs.toFixed(0)} ms; mean fact-to-hook latency ${mean.toFixed(1)} ms`);
  console.log(`violations     ${fake.violations().length} (the fake checks every body and the order rules)`);

  await bridge.stop(2000);
  await fake.close();
  rmSync(dataDir, { recursive: true, force: true });
}

console.log(`agentai-bridge bench — node ${process.version}, ${new Date().toISOString()}`);
benchSequencer();
await benchIngestAndDelivery();
await benchPostgresIngest(conversation);
await benchFailover();
