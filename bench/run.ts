// `npm run bench`: the figures of issue 11's goals 1–6, each against its reference measured in the same run
// (the machine is shared and noisy: every figure is min / median / max over --runs runs, default 3).
//   npm run bench                      all goals
//   npm run bench -- --only replay,live --runs 5
//   npm run bench -- --json bench-results.json
//   npm run bench -- --only failover   replicas on PostgreSQL (127.0.0.1:5432): takeover after SIGKILL/SIGTERM
// Goals: replay (1, 3, 4), live (2, 4), restart (5), memory (6); failover (the replicas issue).
// Nothing here asserts: it prints figures.
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { fmt, fmtSpread, type Spread } from './common.js';
import { benchLive } from './live-goal.js';
import { benchMemory } from './memory-goal.js';
import { benchReplay } from './replay-goal.js';
import { benchRestart } from './restart-goal.js';
import { benchConversation } from './bench-conversation.js';
import { benchFailover, benchPostgresIngest } from './failover.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    only: { type: 'string', default: 'replay,live,restart,memory,failover' },
    json: { type: 'string' },
    'replay-conversations': { type: 'string', default: '2000' },
    'live-rate': { type: 'string', default: '1000' },
    'live-seconds': { type: 'string', default: '30' },
    'restart-calls': { type: 'string', default: '100000' },
    'memory-conversations': { type: 'string', default: '10000' },
    profile: { type: 'string' },
  },
});
const runs = Number(values.runs);
const only = new Set(values.only.split(','));
const log = (line: string): void => console.log(line);
const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT met');
const med = (s: Spread): number => s.median;
const results: Record<string, unknown> = { node: process.version, cores: cpus().length, at: new Date().toISOString(), runs };

console.log(`agentai-bridge bench — node ${process.version}, ${cpus().length} cores, ${runs} runs per goal, ${new Date().toISOString()}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const summary: string[] = [];

if (only.has('replay')) {
  console.log('goal 1/3/4: replay of cold-chain conversations, BRIDGE_STORE_SYNC=full, vs undici alone');
  const r = await benchReplay({ runs, conversations: Number(values['replay-conversations']), log, ...(values.profile ? { profileDir: values.profile } : {}) });
  results.replay = r;
  summary.push(
    `1 replay ${fmt(r.calls)} hook calls (${fmt(r.frames)} frames): bridge ${fmtSpread(r.bridgeRate)} calls/s, undici ${fmtSpread(r.rawRate)} calls/s, ratio ${fmtSpread(r.ratio, 2)}: target ≥ 0.6 ${verdict(med(r.ratio) >= 0.6)}`,
    `  CPU per hook call: bridge ${fmtSpread(r.bridgeCpuUsPerCall, 0, ' µs')}, undici ${fmtSpread(r.rawCpuUsPerCall, 0, ' µs')} (the receiver's share is in neither)`,
    `3 commits: ${r.fsyncsPerCall === undefined ? 'fsyncs not counted (strace missing)' : `${fmt(r.fsyncsPerCall, 3)} fsyncs per hook call`} (was 3.04 before group commit)`,
    `4 replay (one further run at LOG_LEVEL=debug, whose lines give the timeline): ${fmtSpread(r.deliveredWhileIngesting)} calls/s delivered while frames were still being ingested, in ${fmtSpread(r.slicesWithDelivery, 2)} of 100 ms slices of the ingest window`,
  );
}
if (only.has('live')) {
  console.log(`goal 2/4: live, ${values['live-rate']} frames/s for ${values['live-seconds']} s over the websocket, vs a direct loop`);
  const l = await benchLive({ runs, rate: Number(values['live-rate']), seconds: Number(values['live-seconds']), log, ...(values.profile ? { profileDir: values.profile } : {}) });
  results.live = l;
  summary.push(
    `2 live ${fmt(l.rate)} frames/s for ${l.seconds} s: frame → hook p99 ${fmtSpread(l.bridge.p99, 0, ' ms')}, p50 ${fmtSpread(l.bridge.p50, 0, ' ms')}; direct loop p99 ${fmtSpread(l.direct.p99, 0, ' ms')}; ` +
      `backlog at the end ${fmtSpread(l.bridge.backlogLast)} frames (max ${fmtSpread(l.bridge.backlogMax)}): target p99 ≤ 50 ms, no growing backlog ${verdict(med(l.bridge.p99) <= 50 && med(l.bridge.backlogLast) <= l.rate * 0.1)}`,
    `4 live: ${fmtSpread(l.bridge.hooksPerSecond)} message hooks/s received while frames were ingested`,
  );
}
if (only.has('restart')) {
  console.log(`goal 5: restart with ${values['restart-calls']} pending calls, vs undici alone`);
  const r = await benchRestart({ runs, calls: Number(values['restart-calls']), log, ...(values.profile ? { profileDir: values.profile } : {}) });
  results.restart = r;
  summary.push(
    `5 restart with ${fmt(r.pending)} pending: first hook ${fmtSpread(r.firstHookMs, 0, ' ms')} after spawn; the bare CLI starting and exiting took ${fmtSpread(r.bareStartMs, 0, ' ms')} (target ≤ 1000 ms ${verdict(med(r.firstHookMs) <= 1000)}); ` +
      `drain ${fmtSpread(r.drainRate)} calls/s vs undici ${fmtSpread(r.rawRate)}: ratio ${fmtSpread(r.ratio, 2)} (target ≥ 0.5 ${verdict(med(r.ratio) >= 0.5)})`,
  );
}
if (only.has('memory')) {
  console.log(`goal 6: memory per open idle conversation at ${values['memory-conversations']}`);
  const m = await benchMemory({ runs, conversations: Number(values['memory-conversations']), log });
  results.memory = m;
  summary.push(
    `6 memory at ${fmt(m.conversations)} open conversations: heap ${fmtSpread(m.heapPerConversation, 0, ' B')} (target ≤ 2048 ${verdict(med(m.heapPerConversation) <= 2048)}), ` +
      `SQLite ${fmtSpread(m.sqlitePerConversation, 0, ' B')} (target ≤ 1024 ${verdict(med(m.sqlitePerConversation) <= 1024)}), RSS ${fmtSpread(m.rssPerConversation, 0, ' B')} each; ` +
      `an idle daemon: heap ${fmt(m.baseline.heapUsed.median / 1048576, 1)} MB, RSS ${fmt(m.baseline.rss.median / 1048576, 1)} MB`,
  );
}

if (only.has('failover')) {
  console.log('replicas on PostgreSQL: ingest, and takeover after the leader is killed or stopped');
  await benchPostgresIngest(benchConversation);
  await benchFailover();
}

console.log(`\nsummary (median, with min and max over the runs); load average now ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
for (const line of summary) console.log(`  ${line}`);
if (values.json) writeFileSync(values.json, `${JSON.stringify(results, null, 2)}\n`);
