// Test harness: signs like Svix (by hand, not with the library under test), serves the adapter's route on a real
// node:http server on 127.0.0.1, and records facts in a sink that dedupes by key like the store does.
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { pino } from 'pino';
import type { Adapter, AdapterRoute, FactSink, IngestOutcome } from '../../../src/core/adapter.js';
import type { Fact } from '../../../src/core/facts.js';
import { createAdaAdapter } from '../adapter.js';
import { ADA_ADAPTER_DEFAULTS, type AdaAdapterOptions } from '../options.js';
import { standaloneContext } from '../../../src/runtime/standalone-context.js';

export function makeSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

export function sign(secret: string, id: string, timestamp: number | string, body: string | Buffer): string {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64')}`;
}

export class RecordingSink implements FactSink {
  readonly facts: Fact[] = [];
  readonly keys = new Set<string>();
  ingestCalls = 0;
  /** Keys whose next ingest throws once, as a store outage would. */
  readonly failOnce = new Set<string>();

  async ingest(fact: Fact): Promise<IngestOutcome> {
    this.ingestCalls++;
    if (this.failOnce.delete(fact.dedupeKey)) throw new Error(`store unavailable for ${fact.dedupeKey}`);
    if (this.keys.has(fact.dedupeKey)) return 'duplicate';
    this.keys.add(fact.dedupeKey);
    this.facts.push(fact);
    return 'accepted';
  }
}

export interface Delivered {
  readonly status: number;
  readonly body: unknown;
}

export interface SendOptions {
  readonly id?: string;
  /** Unix seconds; defaults to now. */
  readonly timestamp?: number;
  /** Secret to sign with; defaults to the harness's first secret. */
  readonly secret?: string;
  readonly headerStyle?: 'svix' | 'webhook';
  /** Raw body to send instead of JSON.stringify(payload); a Buffer is sent and signed byte for byte. */
  readonly rawBody?: string | Buffer;
}

export class Harness {
  private constructor(
    readonly adapter: Adapter,
    readonly sink: RecordingSink,
    readonly secrets: readonly string[],
    private readonly server: Server,
    readonly url: string,
  ) {}

  /** A second harness may share a sink with the first: the store outlives an adapter restart. */
  static async start(overrides: Partial<AdaAdapterOptions> = {}, sink = new RecordingSink()): Promise<Harness> {
    const secrets = overrides.secrets ?? [makeSecret()];
    const adapter = createAdaAdapter({
      ...ADA_ADAPTER_DEFAULTS,
      orderingBufferMs: 50,
      ...overrides,
      secrets,
    });
    const route = adapter.routes?.()[0];
    if (!route) throw new Error('ada adapter exposes no route');
    const server = await serve(route);
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('server has no TCP address');
    await adapter.start(standaloneContext('ada', sink, pino({ level: 'silent' })));
    return new Harness(adapter, sink, secrets, server, `http://127.0.0.1:${address.port}${route.path}`);
  }

  async send(payload: unknown, options: SendOptions = {}): Promise<Delivered> {
    const id = options.id ?? `msg_${randomUUID()}`;
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
    const body = options.rawBody ?? JSON.stringify(payload);
    const signature = sign(options.secret ?? this.secrets[0] ?? '', id, timestamp, body);
    const prefix = options.headerStyle === 'webhook' ? 'webhook' : 'svix';
    const response = await fetch(this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [`${prefix}-id`]: id,
        [`${prefix}-timestamp`]: String(timestamp),
        [`${prefix}-signature`]: signature,
      },
      body,
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  async close(): Promise<void> {
    await this.adapter.stop();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function serve(route: AdapterRoute): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      route.handle(req, res, Buffer.concat(chunks)).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// ---- payload builders (shapes from shared/kore-ada/facts.md §2.2) ----

export interface WebhookPayload {
  readonly type: string;
  readonly timestamp: string;
  readonly data: Record<string, unknown>;
}

const T0 = Date.parse('2025-03-01T10:00:00.000Z');
export const DOMAIN = 'acme.ada.support';

export function iso(offsetMs: number): string {
  return new Date(T0 + offsetMs).toISOString();
}

export function created(conversationId: string, offsetMs: number, locale = 'en-CA'): WebhookPayload {
  return {
    type: 'v1.conversation.created',
    timestamp: iso(offsetMs),
    data: {
      conversation_id: conversationId,
      channel_id: 'ch1',
      created_at: iso(offsetMs),
      end_user_id: 'eu1',
      metadata: { locale, initial_url: 'https://example.com' },
      ai_agent_domain: DOMAIN,
    },
  };
}

export interface MessageSpec {
  readonly role: 'end_user' | 'ai_agent' | 'human_agent';
  readonly text?: string;
  readonly authorId?: unknown;
  readonly name?: string;
  readonly messageId?: string;
  readonly content?: unknown;
  readonly handoff?: unknown;
}

export function message(conversationId: string, offsetMs: number, spec: MessageSpec): WebhookPayload {
  return {
    type: 'v1.conversation.message',
    timestamp: iso(offsetMs),
    data: {
      message_id: spec.messageId ?? `m-${offsetMs}`,
      conversation_id: conversationId,
      end_user_id: 'eu1',
      handoff_integration: spec.handoff !== undefined ? spec.handoff : spec.role === 'human_agent' ? 'zendesk_chat' : null,
      channel: { type: 'native', id: 'ch1', name: 'Web', modality: 'messaging', capabilities: {} },
      created_at: iso(offsetMs),
      author: {
        id: spec.authorId !== undefined ? spec.authorId : spec.role === 'end_user' ? 'eu1' : null,
        role: spec.role,
        avatar: null,
        display_name: spec.name ?? null,
      },
      content: spec.content ?? { type: 'text', body: spec.text ?? 'hello' },
      ai_agent_domain: DOMAIN,
    },
  };
}

export function handoffEnded(conversationId: string, offsetMs: number): WebhookPayload {
  return {
    type: 'v1.conversation.handoff.ended',
    timestamp: iso(offsetMs),
    data: { conversation_id: conversationId, end_user_id: 'eu1', handoff_integration: 'zendesk_chat', ai_agent_domain: DOMAIN },
  };
}

export function ended(conversationId: string, offsetMs: number): WebhookPayload {
  return {
    type: 'v1.conversation.ended',
    timestamp: iso(offsetMs),
    data: {
      conversation_id: conversationId,
      channel_id: 'ch1',
      end_user_id: 'eu1',
      created_at: iso(0),
      updated_at: iso(offsetMs),
      ended_by: { id: 'eu1', role: 'end_user' },
      metadata: { locale: 'en-CA' },
      ai_agent_domain: DOMAIN,
    },
  };
}

export function atOf(offsetMs: number): number {
  return T0 + offsetMs;
}
