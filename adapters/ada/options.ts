// Configuration of the Ada webhook adapter, its defaults, and the checks that fail fast at start-up.
import type { WebhookRejectReason } from '../../src/observability/metrics.js';
import { BridgeError } from '../../src/errors.js';

export interface AdaAdapterOptions {
  /** Route the daemon mounts. */
  readonly path: string;
  /** whsec_... secrets; several during rotation, a delivery passes if any verifies it. */
  readonly secrets: readonly string[];
  /** Accepted skew of svix-timestamp. svix itself always rejects beyond 300 s, so larger values do not loosen it. */
  readonly toleranceSeconds: number;
  /** Events of one conversation are held this long and released sorted by payload timestamp. */
  readonly orderingBufferMs: number;
  /** Forward messages of Ada's own AI agent as AGENT messages (agentIdentity 'ai_agent'). */
  readonly forwardAiAgentMessages: boolean;
  /** Completed svix-ids remembered to answer a replay without re-processing. */
  readonly dedupeCacheSize?: number;
  /** Conversation state (language, joined agents) is forgotten after this long without an event. */
  readonly conversationTtlMs?: number;
  readonly now?: () => number;
  /** Told each refused webhook, with why (a metric in the daemon). */
  readonly onRejected?: (reason: WebhookRejectReason) => void;
}

export const ADA_ADAPTER_DEFAULTS = {
  path: '/webhooks/ada',
  toleranceSeconds: 300,
  orderingBufferMs: 2000,
  forwardAiAgentMessages: false,
  dedupeCacheSize: 10_000,
  conversationTtlMs: 24 * 60 * 60 * 1000,
} as const;

/** Ada abandons a delivery after 15 s; the buffer plus ingestion has to fit well inside it. */
const MAX_ORDERING_BUFFER_MS = 10_000;

export function validateAdaOptions(opts: AdaAdapterOptions): void {
  if (!opts.path.startsWith('/')) throw new BridgeError('CONFIG_INVALID', `ada: path must start with '/', got ${JSON.stringify(opts.path)}`);
  if (!Number.isFinite(opts.toleranceSeconds) || opts.toleranceSeconds <= 0) {
    throw new BridgeError('CONFIG_INVALID', 'ada: toleranceSeconds must be a positive number');
  }
  if (!Number.isFinite(opts.orderingBufferMs) || opts.orderingBufferMs < 0) {
    throw new BridgeError('CONFIG_INVALID', 'ada: orderingBufferMs must be zero or more');
  }
  if (opts.orderingBufferMs > MAX_ORDERING_BUFFER_MS) {
    throw new BridgeError('CONFIG_INVALID', `ada: orderingBufferMs must be at most ${MAX_ORDERING_BUFFER_MS} (Ada times out after 15 s)`);
  }
  for (const [name, value] of [
    ['dedupeCacheSize', opts.dedupeCacheSize],
    ['conversationTtlMs', opts.conversationTtlMs],
  ] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value <= 0)) {
      throw new BridgeError('CONFIG_INVALID', `ada: ${name} must be a positive integer`);
    }
  }
}
