// Shared by the live-adapter tests: a simulated org with the fixture directory, a bridge harness with the
// live adapter attached through the SDK, and the replay reference (the same fixture frames through the
// frame processor with the frame clock) that every live run must match.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { genesysModule } from '../../adapters/genesys/module.js';
import { createGenesysLiveAdapter, type GenesysLiveAdapter } from '../../adapters/genesys/live/index.js';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/observability/logger.js';
import { Bridge } from '../../src/runtime/bridge.js';
import type { OutboxCompleter } from '../../src/core/adapter.js';
import { feedFrame, finishReplay, FrameClock } from '../../src/runtime/frame-replay.js';
import { FakeAgentAi } from '../../src/sim/agentai-receiver.js';
import { GenesysSim, type GenesysSimOptions } from '../../src/sim/genesys/server.js';
import { scriptFromJsonl, type SimScript } from '../../src/sim/genesys/script.js';
import { QUEUE_BILLING, QUEUE_SUPPORT, USERS } from '../fixtures/genesys/scenarios.js';
import { BOT, bridgeEnv, LineCollector, startHarness, type Harness } from '../helpers/harness.js';

export const SIM_CLIENT = { clientId: 'sim-client', clientSecret: 'sim-secret-0123456789' };

export const FIXTURE_NAMES = [
  'standard', 'cold-chain', 'warm-two-consultants', 'conference', 'consult-cancelled', 'reroute-no-answer',
  'redial-in-conversation', 'redial-new-outbound', 'duplicate-topics', 'interleaved', 'transcription', 'flattened-calls',
  'transfer-back', 'supervisor-barge', 'supervisor-flattened', 'consult-confined', 'consult-flattened', 'digital-consult',
  'messaging-bot', 'ivr-speech', 'not-people', 'acw-connected',
] as const;

export function fixtureText(name: string): string {
  return readFileSync(new URL(`../fixtures/genesys/${name}.jsonl`, import.meta.url), 'utf8');
}

export function fixtureScript(name: string): SimScript {
  return scriptFromJsonl(name, fixtureText(name));
}

export async function startSim(options: Partial<GenesysSimOptions> = {}): Promise<GenesysSim> {
  const sim = await GenesysSim.start({ ...SIM_CLIENT, heartbeatMs: 200, ...options });
  for (const [key, u] of Object.entries(USERS)) sim.org.addUser({ id: u.id, name: u.name, email: `${key}@example.com` });
  sim.org.addQueue({ id: QUEUE_SUPPORT, name: 'Support' });
  sim.org.addQueue({ id: QUEUE_BILLING, name: 'Billing' });
  return sim;
}

export interface LiveRig {
  readonly sim: GenesysSim;
  readonly h: Harness;
  readonly adapter: GenesysLiveAdapter;
  close(): Promise<void>;
}

/** Windows of the sequencer divided by `speed`, so a compressed scenario classifies exits as at 1×. */
export function liveEnv(sim: GenesysSim, speed: number, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    GENESYS_CLIENT_ID: SIM_CLIENT.clientId,
    GENESYS_CLIENT_SECRET: SIM_CLIENT.clientSecret,
    GENESYS_GATEWAY_URL: sim.url,
    GENESYS_QUEUE_IDS: `${QUEUE_SUPPORT},${QUEUE_BILLING}`,
    GENESYS_USER_IDS: USERS.alice.id,
    GENESYS_HEARTBEAT_TIMEOUT_MS: '600',
    GENESYS_PING_TIMEOUT_MS: '300',
    GENESYS_RECONNECT_BASE_MS: '20',
    GENESYS_RECONNECT_MAX_MS: '200',
    GENESYS_ROLLOVER_OVERLAP_MS: '100',
    GENESYS_RECONCILE_MARGIN_MS: '1000',
    BRIDGE_SETTLE_MS: String(Math.round(10_000 / speed)),
    BRIDGE_REDIAL_WINDOW_MS: String(Math.round(120_000 / speed)),
    LOG_LEVEL: 'debug',
    ...extra,
  };
}

export interface RigOptions {
  /** Reuse a data dir and fake Agent AI (a restart of the bridge on the same store). */
  readonly dataDir?: string;
  readonly fake?: FakeAgentAi;
  /** Reuse a simulated org (a restart against the same Genesys). */
  readonly sim?: GenesysSim;
}

export async function startRig(speed: number, env: NodeJS.ProcessEnv = {}, simOptions: Partial<GenesysSimOptions> = {}, options: RigOptions = {}): Promise<LiveRig> {
  const sim = options.sim ?? (await startSim(simOptions));
  const completers = new Map<string, OutboxCompleter>();
  const h = await startHarness(liveEnv(sim, speed, env), { completers, ...(options.dataDir ? { dataDir: options.dataDir } : {}), ...(options.fake ? { fake: options.fake } : {}) });
  const logger = h.bridge.logger.child({ adapter: 'genesys' });
  const deps = { config: h.config, logger, metrics: h.bridge.metrics, now: Date.now };
  const adapter = createGenesysLiveAdapter(deps) as GenesysLiveAdapter;
  const completer = genesysModule.createOutboxCompleter?.(deps, adapter);
  if (completer) completers.set('genesys', completer);
  await adapter.start({ sink: h.bridge.pipeline, logger, now: Date.now, visibility: h.bridge.visibility.forSource('genesys'), state: h.bridge.adapterState('genesys') });
  return {
    sim,
    h,
    adapter,
    async close() {
      await adapter.stop();
      await h.close();
      if (!options.sim) await sim.close();
    },
  };
}

/** Hook labels per conversation id, as the fake Agent AI accepted them. */
export function labelsByConversation(h: Harness): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const call of h.fake.accepted()) {
    const list = out.get(call.conversationId) ?? [];
    list.push(call.label);
    out.set(call.conversationId, list);
  }
  return out;
}

/** Resolves once `condition` holds, looking again every few milliseconds (a wait for an event, not a sleep). */
export async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not seen within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The same for a condition that has to be read (from the store, say). */
export async function untilAsync(condition: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not seen within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Waits until every conversation in `ids` has its END_OF_CONVERSATION at the fake Agent AI. */
export async function waitForEnds(h: Harness, ids: Iterable<string>, timeoutMs = 20_000): Promise<void> {
  const wanted = [...ids];
  const ended = (id: string): boolean => h.fake.labels(id).includes('END_OF_CONVERSATION');
  try {
    await h.fake.waitFor(() => wanted.every(ended), timeoutMs);
  } catch {
    const missing = wanted.filter((id) => !ended(id)).map((id) => `${id}: ${h.fake.labels(id).join(', ') || 'nothing'}`);
    throw new Error(`no END_OF_CONVERSATION within ${timeoutMs} ms for:\n  ${missing.join('\n  ')}`);
  }
}

/** The replay reference: the fixture's frames through the processor and pipeline on the frame clock. */
export function replayReference(names: readonly string[]): Promise<Map<string, string[]>> {
  return replayTexts(names.map(fixtureText));
}

/** Recorded files (JSONL text each) through `replay`'s path: hook labels per conversation. */
export async function replayTexts(files: readonly string[]): Promise<Map<string, string[]>> {
  const clock = new FrameClock();
  const fake = await FakeAgentAi.start({ bots: [BOT] });
  const dataDir = mkdtempSync(join(tmpdir(), 'bridge-ref-'));
  const config = loadConfig({ env: bridgeEnv(fake.url, dataDir, { LOG_LEVEL: 'silent' }), modules: [genesysModule] });
  const logger = createLogger({ level: 'silent', secrets: [], destination: new LineCollector(), pretty: false });
  const bridge = new Bridge({ config, logger, now: clock.now });
  await bridge.start({ timers: false });
  try {
    for (const text of files) {
      // A fresh decoder per file, as each recorded file is its own socket session.
      const decoder = genesysModule.createFrameDecoder?.({ config, logger, metrics: bridge.metrics, now: clock.now });
      if (!decoder) throw new Error('the genesys module has no frame decoder');
      for (const line of text.split('\n')) {
        if (line.trim() !== '') await feedFrame(bridge, decoder, clock, line);
      }
    }
    await finishReplay(bridge, clock);
    const out = new Map<string, string[]>();
    for (const call of fake.accepted()) out.set(call.conversationId, [...(out.get(call.conversationId) ?? []), call.label]);
    return out;
  } finally {
    await bridge.stop(1000);
    await fake.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The bridge's log lines (parsed) with this `event` code: tests match codes, never the wording of a message. */
export function logEvents(h: Harness, event: string): Record<string, unknown>[] {
  return h.logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.event === event);
}
