// The seam between sources (adapters) and the core. Adapters depend on this file; the core never imports
// an adapter. An adapter is chosen by configuration (BRIDGE_ADAPTERS) and registered by name.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Fact } from './facts.js';

export type IngestOutcome = 'accepted' | 'duplicate' | 'ignored';

/** Where an adapter hands its facts. Resolves once the fact is durably recorded (or known duplicate). */
export interface FactSink {
  ingest(fact: Fact): Promise<IngestOutcome>;
}

/**
 * What an adapter tells the core about what it can see. While a source is blind (socket down, catching up
 * after a start) or re-reading a conversation, the timers of the conversations concerned do not expire.
 * Every `blind(reason)` must be matched by `sees(reason)`, every `rereading(id)` by `reread(id)`.
 */
export interface SourceVisibility {
  blind(reason: string): void;
  sees(reason: string): void;
  rereading(platformConversationId: string): void;
  reread(platformConversationId: string): void;
}

/** A conversation the store holds open for this source: what an adapter catches up on after a start. */
export interface OpenConversationView {
  /** The id Agent AI knows. */
  readonly id: string;
  /** Platform conversation ids feeding it (a redial placed as a new call adds one). */
  readonly platformIds: readonly string[];
  readonly experience?: string;
  /** The bridge's clock when it last changed. */
  readonly updatedAt: number;
}

/** Durable state an adapter may keep through the store (one place for everything that matters). */
export interface AdapterState {
  openConversations(): Promise<OpenConversationView[]>;
  /** A durable number under the adapter's own name space, e.g. the time of the last frame seen. */
  cursor(name: string): Promise<number | undefined>;
  setCursor(name: string, value: number): Promise<void>;
}

/** A hook call as it is about to be sent, for the source's OutboxCompleter. */
export interface PendingCall {
  readonly conversationId: string;
  readonly kind: 'transfer' | 'summary' | 'end' | 'message';
  /** The body as stored; the completer returns it changed or as is. */
  readonly bodyJson: string;
  /** The source's own reference stored with the call (MessageFact.textRef), if any. */
  readonly ref?: string;
  /** The bridge's clock when the call was queued: a completer gives up on what it cannot fill in time. */
  readonly queuedAt: number;
}

export type Completion =
  | { readonly kind: 'ready'; readonly bodyJson: string }
  /** Not yet (a fetch failed): the call waits and is offered again; nothing behind it overtakes it. */
  | { readonly kind: 'retry'; readonly error: string; readonly retryInMs?: number }
  /** It cannot be completed (the message has no text, or the fetch kept failing past its deadline). */
  | { readonly kind: 'give-up'; readonly reason: string };

/**
 * Fills in, at send time, what a source left out so its facts could be stored without waiting on the network:
 * agent names and e-mails, queue names, digital message text. Runs before the call is marked in flight.
 */
export interface OutboxCompleter {
  complete(call: PendingCall): Promise<Completion>;
}

export interface AdapterHealth {
  readonly connected: boolean;
  readonly detail?: Record<string, unknown>;
}

/** An HTTP route an adapter mounts on the daemon's server (Ada's webhook, for instance). */
export interface AdapterRoute {
  readonly method: 'POST' | 'GET';
  readonly path: string;
  handle(req: IncomingMessage, res: ServerResponse, rawBody: Buffer): Promise<void>;
}

export interface AdapterContext {
  readonly sink: FactSink;
  readonly logger: Logger;
  /** Milliseconds since the epoch; replaced by a frame-driven clock in replay. */
  readonly now: () => number;
  readonly visibility: SourceVisibility;
  readonly state: AdapterState;
}

export interface Adapter {
  readonly name: string;
  /**
   * Resolves once the adapter takes input. It retries, itself, whatever may heal (network, 5xx); a rejection
   * means it cannot run as configured (credentials refused, an unknown queue), and the daemon stops.
   */
  start(ctx: AdapterContext): Promise<void>;
  stop(): Promise<void>;
  health(): AdapterHealth;
  routes?(): readonly AdapterRoute[];
}
