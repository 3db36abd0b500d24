// Prometheus metrics of one bridge instance. A registry per instance (not the global one) so tests and the
// demo can run several bridges in one process without their counters mixing.
//
// Label values come from fixed sets (the bridge's own event kinds, causes and reasons, a 3-digit HTTP status),
// never from upstream text, so a platform cannot grow the series count. The counters an alert watches exist
// at 0 from the start (`preset`), so the first dead letter is an increase an alert can see, not a new series.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DeadLetterCause } from '../delivery/dispatcher.js';
import type { Fact } from '../core/facts.js';
import type { OutboxKind } from '../store/types.js';
import { buildInfo } from './build-info.js';

// Records so the compiler says when a kind or a cause is added and not preset here.
const KINDS: Record<OutboxKind, true> = { transfer: true, summary: true, end: true, message: true };
const FACT_TYPES: Record<Fact['type'], true> = { 'agent.joined': true, 'agent.left': true, 'agents.left': true, 'customer.left': true, message: true, 'conversation.ended': true };
const CAUSES: Record<DeadLetterCause, true> = { rejected: true, 'unknown-outcome': true, 'max-age': true, 'max-attempts': true, 'unknown-bot': true, incomplete: true };

/** Why a webhook was refused; the adapters map their own verdicts onto these. */
export const WEBHOOK_REJECT_REASONS = ['unsigned', 'bad-signature', 'stale-timestamp', 'invalid-utf8', 'malformed-json', 'invalid-payload', 'too-large', 'not-accepting'] as const;
export type WebhookRejectReason = (typeof WEBHOOK_REJECT_REASONS)[number];

/** What a scrape asks the running daemon (set by `run`; absent in replay and tests, the gauges then say nothing). */
export interface LiveProbes {
  readonly ready: () => boolean;
  readonly leader: () => boolean;
  readonly connected: () => Readonly<Record<string, boolean>>;
}

/** An HTTP status as a label: the 3-digit code, or `other` for anything an upstream made up. */
export function statusLabel(status: number): string {
  return Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : 'other';
}

export class BridgeMetrics {
  readonly registry = new Registry();
  readonly factsIn = new Counter({ name: 'bridge_facts_in_total', help: 'Facts received, by adapter and fact type', labelNames: ['adapter', 'type'], registers: [this.registry] });
  readonly factsDuplicate = new Counter({ name: 'bridge_facts_duplicate_total', help: 'Facts dropped as already seen (same dedupe key)', labelNames: ['adapter'], registers: [this.registry] });
  readonly factsIgnored = new Counter({ name: 'bridge_facts_ignored_total', help: 'Facts that changed nothing, by reason (after-end, duplicate-leg, ...)', labelNames: ['reason'], registers: [this.registry] });
  readonly malformed = new Counter({ name: 'bridge_input_malformed_total', help: 'Malformed frames or webhooks, logged and skipped', labelNames: ['adapter'], registers: [this.registry] });
  readonly hookCalls = new Counter({ name: 'bridge_hook_calls_total', help: 'Agent AI hook calls by event and HTTP status (or outcome for network failures)', labelNames: ['event', 'status'], registers: [this.registry] });
  readonly retries = new Counter({ name: 'bridge_hook_retries_total', help: 'Hook calls scheduled for another attempt', labelNames: ['event'], registers: [this.registry] });
  readonly deadLetters = new Counter({ name: 'bridge_dead_letters_total', help: 'Hook calls given up on and kept as dead letters, by event and reason (rejected, unknown-outcome, max-age, max-attempts, unknown-bot, incomplete)', labelNames: ['event', 'reason'], registers: [this.registry] });
  readonly queueDepth = new Gauge({ name: 'bridge_outbox_depth', help: 'Hook calls waiting to be delivered', registers: [this.registry] });
  readonly inFlight = new Gauge({ name: 'bridge_hook_in_flight', help: 'Hook calls in flight now', registers: [this.registry] });
  readonly activeConversations = new Gauge({ name: 'bridge_active_conversations', help: 'Conversations not yet closed', registers: [this.registry] });
  readonly latency = new Histogram({
    name: 'bridge_fact_to_hook_seconds',
    help: 'From the platform event (fact time) to Agent AI accepting the hook call',
    labelNames: ['event'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly reconnects = new Counter({ name: 'bridge_ws_reconnects_total', help: 'Notification websocket reconnects', labelNames: ['adapter'], registers: [this.registry] });
  readonly heartbeatAge = new Gauge({ name: 'bridge_ws_seconds_since_heartbeat', help: 'Seconds since the last websocket heartbeat', labelNames: ['adapter'], registers: [this.registry] });
  readonly circuitState = new Gauge({ name: 'bridge_delivery_circuit_state', help: 'Delivery circuit per Agent AI host: 0 closed, 1 half-open (probing), 2 open (paused)', labelNames: ['host'], registers: [this.registry] });
  readonly outboxOldestSeconds = new Gauge({ name: 'bridge_outbox_oldest_seconds', help: 'Age of the oldest hook call waiting to be delivered (0 when none)', registers: [this.registry] });
  readonly deadLettersExpired = new Counter({ name: 'bridge_dead_letters_expired_total', help: 'Dead letters removed after BRIDGE_DEAD_LETTER_RETENTION_HOURS, by event (a blocking one takes the calls queued behind it)', labelNames: ['event'], registers: [this.registry] });
  readonly deadLetterBacklog = new Gauge({ name: 'bridge_dead_letters', help: 'Dead letters kept now (the whole store)', registers: [this.registry] });
  readonly oldestOpenConversationSeconds = new Gauge({ name: 'bridge_open_conversation_oldest_seconds', help: 'Age of the oldest conversation not yet closed (0 when none)', registers: [this.registry] });
  readonly adapterIgnored = new Counter({ name: 'bridge_adapter_input_ignored_total', help: 'Platform input an adapter recognised and deliberately turned into no facts (supervisor legs, IVR speech, bot messages, ...), by reason', labelNames: ['adapter', 'reason'], registers: [this.registry] });
  readonly reconciled = new Counter({ name: 'bridge_reconciled_conversations_total', help: 'Conversations re-read from the platform to catch up (after a start, a gap, or no news for too long)', labelNames: ['adapter'], registers: [this.registry] });
  readonly staleConversations = new Gauge({ name: 'bridge_stale_open_conversations', help: 'Open conversations with no new fact for longer than the stale time (re-read from the platform)', labelNames: ['adapter'], registers: [this.registry] });
  readonly webhookRejected = new Counter({ name: 'bridge_webhook_rejected_total', help: 'Webhooks answered with an error, by adapter and reason (unsigned, bad-signature, stale-timestamp, invalid-utf8, malformed-json, invalid-payload, too-large, not-accepting)', labelNames: ['adapter', 'reason'], registers: [this.registry] });
  readonly inputTruncated = new Counter({ name: 'bridge_input_truncated_total', help: 'Platform fields cut to what Agent AI takes (ids, names, message text), by adapter and field', labelNames: ['adapter', 'field'], registers: [this.registry] });
  readonly httpClientsCut = new Counter({ name: 'bridge_http_clients_cut_total', help: 'HTTP connections the bridge cut or refused, by listener (public, admin) and reason (timeout, connection-cap, bad-request, aborted)', labelNames: ['listener', 'reason'], registers: [this.registry] });
  readonly unknownDisconnectTypes = new Counter({ name: 'bridge_unknown_disconnect_type_total', help: 'disconnectType values the bridge does not know (treated as hangup or dropped): value is missing or unrecognised; the raw value is in the genesys.frame_warning log line', labelNames: ['value'], registers: [this.registry] });
  readonly buildInfo = new Gauge({ name: 'bridge_build_info', help: 'Always 1; the labels say which bridge release runs on which Node.js', labelNames: ['version', 'node'], registers: [this.registry] });
  private probes: LiveProbes | undefined;
  readonly ready = new Gauge({
    name: 'bridge_ready',
    help: '1 while /readyz answers 200 (store writable, adapters connected, not draining)',
    registers: [this.registry],
    collect: () => {
      if (this.probes) this.ready.set(this.probes.ready() ? 1 : 0);
    },
  });
  readonly leader = new Gauge({
    name: 'bridge_replica_leader',
    help: '1 while this replica holds the subscription (leader in /status); across replicas exactly one should',
    registers: [this.registry],
    collect: () => {
      if (this.probes) this.leader.set(this.probes.leader() ? 1 : 0);
    },
  });
  readonly adapterConnected = new Gauge({
    name: 'bridge_adapter_connected',
    help: '1 while an adapter takes input (Genesys: its notification channels are open)',
    labelNames: ['adapter'],
    registers: [this.registry],
    collect: () => {
      if (!this.probes) return;
      // Only the adapters running now: one a deposed leader stopped must not keep its last value.
      this.adapterConnected.reset();
      for (const [adapter, up] of Object.entries(this.probes.connected())) this.adapterConnected.set({ adapter }, up ? 1 : 0);
    },
  });

  constructor(options: { defaults?: boolean } = {}) {
    if (options.defaults !== false) collectDefaultMetrics({ register: this.registry });
    const info = buildInfo();
    this.buildInfo.set({ version: info.version, node: info.node }, 1);
  }

  /** The series an alert may watch, at 0 before anything happens; per adapter for the adapters configured. */
  preset(options: { adapters: readonly string[] }): void {
    for (const event of Object.keys(KINDS)) {
      this.retries.inc({ event }, 0);
      // The answers a dashboard's error ratio divides by: accepted, and no answer at all.
      for (const status of ['200', 'unknown']) this.hookCalls.inc({ event, status }, 0);
      this.latency.zero({ event });
      for (const reason of Object.keys(CAUSES)) this.deadLetters.inc({ event, reason }, 0);
    }
    for (const adapter of options.adapters) {
      this.malformed.inc({ adapter }, 0);
      this.factsDuplicate.inc({ adapter }, 0);
      for (const type of Object.keys(FACT_TYPES)) this.factsIn.inc({ adapter, type }, 0);
    }
  }

  /** Webhook rejections of one adapter at 0, each reason. */
  presetWebhooks(adapter: string): void {
    for (const reason of WEBHOOK_REJECT_REASONS) this.webhookRejected.inc({ adapter, reason }, 0);
  }

  liveProbes(probes: LiveProbes): void {
    this.probes = probes;
  }
}
