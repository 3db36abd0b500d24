// Prometheus metrics of one bridge instance. A registry per instance (not the global one) so tests and the
// demo can run several bridges in one process without their counters mixing.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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
  readonly unknownDisconnectTypes = new Counter({ name: 'bridge_unknown_disconnect_type_total', help: 'disconnectType values the bridge does not know (treated as hangup)', labelNames: ['value'], registers: [this.registry] });

  constructor(options: { defaults?: boolean } = {}) {
    if (options.defaults !== false) collectDefaultMetrics({ register: this.registry });
  }
}
