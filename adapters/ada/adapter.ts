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
import { ConversationStates } from './conversations.js';
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
  const counters = { received: 0, rejected: 0, duplicates: 0, ignored: 0, failed: 0 };
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

  async function handle(req: IncomingMessage, res: ServerResponse, rawBody: Buffer): Promise<void> {
    counters.received++;
    if (!ctx || stopped) return reply(res, 503, { error: 'not accepting webhooks' });

    const headers = readSignatureHeaders(req.headers);
    const body = rawBody.toString('utf8');
    const verdict = headers ? verifier.verify(body, headers, now()) : 'invalid';
    if (!headers || verdict !== 'ok') {
      counters.rejected++;
      opts.onRejected?.(verdict === 'stale' ? 'stale' : 'signature');
      log?.warn({ svixId: headers?.id, verdict, event: 'ada.webhook_rejected' }, 'ada: webhook rejected');
      return reply(res, 401, { error: verdict === 'stale' ? 'stale timestamp' : 'invalid signature' });
    }

    if (recent.has(headers.id)) {
      counters.duplicates++;
      log?.debug({ svixId: headers.id, event: 'ada.webhook_replayed' }, 'ada: replayed delivery answered from memory');
      return reply(res, 200, { ok: true, duplicate: true });
    }
    const running = inFlight.get(headers.id);
    if (running) {
      // Ada retried while the first attempt is still buffered: answer both with the one result.
      counters.duplicates++;
      return settle(res, headers.id, running);
    }

    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      counters.rejected++;
      opts.onRejected?.('malformed');
      log?.warn({ svixId: headers.id, event: 'ada.webhook_malformed' }, 'ada: webhook body is not JSON');
      return reply(res, 400, { error: 'malformed JSON' });
    }
    const parsed = parseAdaWebhook(json);
    if (parsed.kind === 'invalid') {
      counters.rejected++;
      opts.onRejected?.('invalid');
      log?.warn({ svixId: headers.id, reason: parsed.reason, event: 'ada.payload_invalid' }, 'ada: invalid payload');
      return reply(res, 400, { error: 'invalid payload', reason: parsed.reason });
    }
    if (parsed.kind === 'unknown-type') {
      counters.ignored++;
      log?.debug({ svixId: headers.id, type: parsed.type, event: 'ada.event_ignored' }, 'ada: event type ignored');
      return reply(res, 202, { ok: true, ignored: true });
    }

    const event = parsed.event;
    const work = buffer.submit(event.conversationId, { id: headers.id, event, sortAt: event.at ?? now() });
    inFlight.set(headers.id, work);
    try {
      await settle(res, headers.id, work);
    } finally {
      inFlight.delete(headers.id);
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
