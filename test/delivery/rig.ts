// A dispatcher on a test clock against a scripted Agent AI host, over the real SQLite store (in memory): what
// the host is doing (down, rejecting, slow) is set by the test; every call it saw is recorded with the clock's
// time, so order, attempt counts and intervals can be checked. The dispatcher itself is the real one.
import type { SendOutcome } from '../../src/agentai/outcome.js';
import { loadConfig } from '../../src/config/load.js';
import { initialState } from '../../src/core/conversation-state.js';
import { Dispatcher, type DeliveryOptions, type HookSender } from '../../src/delivery/dispatcher.js';
import { createLogger } from '../../src/observability/logger.js';
import { BridgeMetrics } from '../../src/observability/metrics.js';
import { deliveryOptions } from '../../src/runtime/bridge.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { NewOutboxRow, OutboxKind, Store } from '../../src/store/types.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { LineCollector } from '../helpers/harness.js';
import { seedRecord } from '../helpers/store-seed.js';

export const RIG_BOT = { botId: 'st-rig', clientId: 'cs-rig', clientSecret: 'rig-secret-0123456789' };

export interface SeenCall {
  readonly conversationId: string;
  readonly label: string;
  readonly at: number;
  readonly answered: SendOutcome['kind'];
}

type Answer = (call: { conversationId: string; label: string }) => SendOutcome;

/** The Agent AI host as the test scripts it. */
export class ScriptedHost implements HookSender {
  readonly host = 'agentai.test';
  readonly calls: SeenCall[] = [];
  /** How long each answer takes, on the test clock. */
  latencyMs = 0;
  answer: Answer = () => ({ kind: 'ok', status: 200 });
  private open = 0;
  maxConcurrent = 0;

  constructor(private readonly clock: FakeClock) {}

  async send(_bot: unknown, bodyJson: string): Promise<SendOutcome> {
    const body = JSON.parse(bodyJson) as { conversationId: string; label: string };
    this.open += 1;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.open);
    const at = this.clock.now();
    if (this.latencyMs > 0) await new Promise<void>((resolve) => this.clock.setTimeout(resolve, this.latencyMs));
    this.open -= 1;
    const outcome = this.answer(body);
    this.calls.push({ conversationId: body.conversationId, label: body.label, at, answered: outcome.kind });
    return outcome;
  }

  /** Labels Agent AI accepted for one conversation, in arrival order. */
  accepted(conversationId: string): string[] {
    return this.calls.filter((c) => c.conversationId === conversationId && c.answered === 'ok').map((c) => c.label);
  }

  /** Every call it saw for one conversation (failed ones too). */
  tried(conversationId: string): string[] {
    return this.calls.filter((c) => c.conversationId === conversationId).map((c) => c.label);
  }
}

export const DOWN: SendOutcome = { kind: 'retry', status: 503, error: 'HTTP 503: unavailable' };

/** The shipped defaults (as the daemon loads them with no DELIVERY_* set) unless a test says otherwise. */
export const defaultOptions = (over: Partial<DeliveryOptions> = {}): DeliveryOptions => ({
  ...deliveryOptions(loadConfig({ env: { AGENTAI_URL: 'https://agentai.test', AGENTAI_BOT_ID: RIG_BOT.botId, AGENTAI_CLIENT_ID: RIG_BOT.clientId, AGENTAI_CLIENT_SECRET: RIG_BOT.clientSecret } })),
  ...over,
});

export interface Rig {
  readonly clock: FakeClock;
  readonly store: Store;
  readonly host: ScriptedHost;
  readonly metrics: BridgeMetrics;
  readonly logs: LineCollector;
  dispatcher: Dispatcher;
  /** A new dispatcher on the same store (a restart), with the same host and clock. */
  restart(options?: Partial<DeliveryOptions>): Dispatcher;
}

export function startRig(options: Partial<DeliveryOptions> = {}, store?: Store, clock = new FakeClock()): Rig {
  const s = store ?? openSqliteStore({ path: ':memory:', now: clock.now });
  const host = new ScriptedHost(clock);
  const metrics = new BridgeMetrics({ defaults: false });
  const logs = new LineCollector();
  const logger = createLogger({ level: 'debug', destination: logs, pretty: false });
  const make = (o: Partial<DeliveryOptions>): Dispatcher =>
    new Dispatcher({ store: s, sender: host, bots: new Map([['default', RIG_BOT]]), options: defaultOptions(o), logger, metrics, now: clock.now, timers: clock, random: () => 0.5 });
  const rig: Rig = {
    clock,
    store: s,
    host,
    metrics,
    logs,
    dispatcher: make(options),
    restart: (o = options) => {
      rig.dispatcher = make(o);
      return rig.dispatcher;
    },
  };
  return rig;
}

/** A conversation's calls in the order they must reach Agent AI. */
export function calls(conversationId: string, labels: readonly string[]): NewOutboxRow[] {
  return labels.map((label, i) => {
    const kind: OutboxKind = label === 'END_OF_CONVERSATION' ? 'end' : label.startsWith('message') ? 'message' : label.startsWith('TRIGGER') ? 'summary' : 'transfer';
    return { kind, label, event: label, body: { conversationId, label, seq: i }, factAt: 0 };
  });
}

export async function queue(store: Store, conversationId: string, labels: readonly string[]): Promise<void> {
  await seedRecord(store, { id: conversationId, bot: 'default', source: 'test', state: { ...initialState(), phase: 'open' } }, calls(conversationId, labels));
}

export async function gauge(metrics: BridgeMetrics, name: string): Promise<number | undefined> {
  const m = await metrics.registry.getSingleMetric(name)?.get();
  return m?.values[0]?.value;
}
