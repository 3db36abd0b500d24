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
