// The Ada webhook adapter: one POST route that verifies, dedupes, orders and maps Ada conversation webhooks into
// facts.
//
// When to answer 200: only after the delivery's facts are durably ingested. Ada (Svix) retries anything that is
// not 2xx, so answering early and then losing the facts in a crash would lose them for good. Ordering therefore
// holds the HTTP response too: a delivery waits in its conversation's buffer (orderingBufferMs), is processed in
// timestamp order, and its response is written when its own facts are recorded. With the default 2 s buffer that
// is far inside Ada's 15 s limit (validateAdaOptions caps the buffer at 10 s).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Adapter, AdapterContext, AdapterHealth, AdapterRoute, IngestOutcome } from '../../src/core/adapter.js';
import type { WebhookRejectReason } from '../../src/observability/metrics.js';
import { ConversationStates } from './conversations.js';
import { capEvent, capId, LIMITS } from './limits.js';
import { mapAdaEvent } from './mapper.js';
import { ADA_ADAPTER_DEFAULTS, validateAdaOptions, type AdaAdapterOptions } from './options.js';
import { OrderingBuffer } from './ordering.js';
import { parseAdaWebhook, type AdaEvent } from './payload.js';
import { RecentIds } from './recent-ids.js';
import { readSignatureHeaders, SignatureVerifier } from './signature.js';

interface Delivery {
  /** svix-id: identical on every retry of the same message. */
  readonly id: string;
  readonly event: AdaEvent;
  readonly sortAt: number;
}

type DeliveryOutcome = 'processed' | 'duplicate';

/** The reasons a webhook is refused: a fixed set, so the metric's labels stay bounded whatever is sent. */
type RejectReason = WebhookRejectReason;
const MALFORMED: ReadonlySet<RejectReason> = new Set(['invalid-utf8', 'malformed-json', 'invalid-payload']);
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Tie-break for equal timestamps: a conversation's life runs in this order. */
const TYPE_RANK: Readonly<Record<AdaEvent['type'], number>> = {
  created: 0,
  message: 1,
  'handoff.ended': 2,
  ended: 3,
};

export function createAdaAdapter(opts: AdaAdapterOptions): Adapter {
  validateAdaOptions(opts);
  const verifier = new SignatureVerifier(opts.secrets, opts.toleranceSeconds);
  const recent = new RecentIds(opts.dedupeCacheSize ?? ADA_ADAPTER_DEFAULTS.dedupeCacheSize);
  const conversations = new ConversationStates(opts.conversationTtlMs ?? ADA_ADAPTER_DEFAULTS.conversationTtlMs);
  const inFlight = new Map<string, Promise<DeliveryOutcome>>();
  const counters = { received: 0, rejected: 0, duplicates: 0, ignored: 0, failed: 0, truncated: 0 };
  const rejectedBy: Partial<Record<RejectReason, number>> = {};
  let ctx: AdapterContext | undefined;
  let log: Logger | undefined;
  let stopped = false;

  const now = (): number => (opts.now ?? ctx?.now ?? Date.now)();

  const buffer = new OrderingBuffer<Delivery, DeliveryOutcome>({
    holdMs: opts.orderingBufferMs,
    compare: (a, b) => a.sortAt - b.sortAt || TYPE_RANK[a.event.type] - TYPE_RANK[b.event.type],
    process: (conversationId, delivery) => processDelivery(conversationId, delivery),
  });

  async function processDelivery(conversationId: string, delivery: Delivery): Promise<DeliveryOutcome> {
    if (!ctx) throw new Error('ada adapter not started');
    const at = now();
    const result = mapAdaEvent(conversations.get(conversationId, at), delivery.event, {
      deliveryId: delivery.id,
      now: at,
      forwardAiAgentMessages: opts.forwardAiAgentMessages,
    });
    if (result.skipped) log?.debug({ conversationId, svixId: delivery.id, reason: result.skipped, event: 'ada.skipped' }, 'ada: skipped');
    const outcomes: IngestOutcome[] = [];
    // One at a time: the store records facts in the order the sequencer must see them.
    for (const fact of result.facts) outcomes.push(await ctx.sink.ingest(fact));
    // Committed only now, so a delivery that failed half-way maps identically when Ada retries it.
    if (result.ended) conversations.delete(conversationId);
    else conversations.set(conversationId, result.state, at);
    // Every fact already recorded: a replay the in-memory cache had forgotten (eviction or restart).
    if (outcomes.length > 0 && outcomes.every((o) => o === 'duplicate')) {
      counters.duplicates++;
      return 'duplicate';
    }
    return 'processed';
  }

  function reject(res: ServerResponse, status: number, reason: RejectReason, body: Record<string, unknown>, svixId?: string, detail?: string): void {
    if (reason !== 'not-accepting') counters.rejected++;
    rejectedBy[reason] = (rejectedBy[reason] ?? 0) + 1;
    opts.metrics?.webhookRejected.inc({ adapter: 'ada', reason });
    if (MALFORMED.has(reason)) opts.metrics?.malformed.inc({ adapter: 'ada' });
    if (reason !== 'not-accepting') log?.warn({ svixId, reason, status, ...(detail ? { detail } : {}), event: 'ada.webhook_rejected' }, `ada: webhook rejected (${reason})`);
    reply(res, status, body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse, rawBody: Buffer): Promise<void> {
    counters.received++;
    if (!ctx || stopped) return reject(res, 503, 'not-accepting', { error: 'not accepting webhooks' });

    const headers = readSignatureHeaders(req.headers);
    if (!headers) return reject(res, 401, 'unsigned', { error: 'invalid signature' });
    // The HMAC covers the bytes as sent: a body is authentic or not before anyone decodes it.
    const verdict = verifier.verify(rawBody, headers, now());
    const svixId = capId(headers.id);
    if (verdict === 'stale') return reject(res, 401, 'stale-timestamp', { error: 'stale timestamp' }, svixId);
    if (verdict !== 'ok') return reject(res, 401, 'bad-signature', { error: 'invalid signature' }, svixId);

    if (recent.has(svixId)) {
      counters.duplicates++;
      log?.debug({ svixId, event: 'ada.webhook_replayed' }, 'ada: replayed delivery answered from memory');
      return reply(res, 200, { ok: true, duplicate: true });
    }
    const running = inFlight.get(svixId);
    if (running) {
      // Ada retried while the first attempt is still buffered: answer both with the one result.
      counters.duplicates++;
      return settle(res, svixId, running);
    }

    // Authentic but unusable: answered 4xx (permanent), never 401, which would read as a key problem.
    let body: string;
    try {
      body = UTF8.decode(rawBody);
    } catch {
      return reject(res, 400, 'invalid-utf8', { error: 'body is not valid UTF-8' }, svixId);
    }
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return reject(res, 400, 'malformed-json', { error: 'malformed JSON' }, svixId);
    }
    const parsed = parseAdaWebhook(json);
    if (parsed.kind === 'invalid') {
      return reject(res, 400, 'invalid-payload', { error: 'invalid payload', reason: parsed.reason }, svixId, parsed.reason);
    }
    if (parsed.kind === 'unknown-type') {
      counters.ignored++;
      log?.debug({ svixId, type: parsed.type.slice(0, LIMITS.id), event: 'ada.event_ignored' }, 'ada: event type ignored');
      return reply(res, 202, { ok: true, ignored: true });
    }

    const capped = capEvent(parsed.event);
    const event = capped.value;
    const truncatedFields = headers.id === svixId ? capped.truncated : [...capped.truncated, 'svixId' as const];
    for (const field of truncatedFields) {
      counters.truncated++;
      opts.metrics?.inputTruncated.inc({ adapter: 'ada', field });
    }
    if (truncatedFields.length) log?.info({ conversationId: event.conversationId, svixId, fields: truncatedFields, event: 'ada.truncated' }, 'ada: fields longer than Agent AI takes were cut');
    const work = buffer.submit(event.conversationId, { id: svixId, event, sortAt: event.at ?? now() });
    inFlight.set(svixId, work);
    try {
      await settle(res, svixId, work);
    } finally {
      inFlight.delete(svixId);
    }
  }

  async function settle(res: ServerResponse, id: string, work: Promise<DeliveryOutcome>): Promise<void> {
    try {
      await work;
      recent.add(id);
      reply(res, 200, { ok: true });
    } catch (error) {
      counters.failed++;
      log?.error({ svixId: id, err: error, event: 'ada.ingest_failed' }, 'ada: ingest failed; Ada will retry');
      reply(res, 500, { error: 'ingest failed' });
    }
  }

  const route: AdapterRoute = { method: 'POST', path: opts.path, handle };

  return {
    name: 'ada',
    async start(context: AdapterContext): Promise<void> {
      ctx = context;
      log = context.logger.child({ adapter: 'ada' });
      stopped = false;
    },
    async stop(): Promise<void> {
      stopped = true;
      // Buffered deliveries are still owed an answer: process them now rather than drop them.
      await buffer.flushAll();
    },
    health(): AdapterHealth {
      return {
        connected: ctx !== undefined && !stopped,
        detail: {
          ...counters,
          rejectedBy: { ...rejectedBy },
          buffered: buffer.pending,
          conversations: conversations.size,
        },
      };
    },
    routes(): readonly AdapterRoute[] {
      return [route];
    },
  };
}

function reply(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  if (res.headersSent || res.writableEnded) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
