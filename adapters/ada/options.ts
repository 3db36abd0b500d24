// Configuration of the Ada webhook adapter, its defaults, and the checks that fail fast at start-up.
import { BridgeError } from '../../src/errors.js';
import { webhookSecretsProblem } from './signature.js';
import type { BridgeMetrics } from '../../src/observability/metrics.js';

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
  /** Where rejected webhooks (by reason) and cut fields are counted. */
  readonly metrics?: BridgeMetrics;
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
export const MAX_ORDERING_BUFFER_MS = 10_000;

export interface OptionProblem {
  readonly option: keyof AdaAdapterOptions;
  readonly reason: string;
}

/**
 * Why the adapter cannot run with these options (none: it can). The one rule set: the config check
 * (adapters/ada/config.ts) refuses these before `run` opens anything, the adapter refuses them again when it
 * is built by hand (tests, tools). Never quotes a secret.
 */
export function adaOptionsProblems(opts: AdaAdapterOptions): OptionProblem[] {
  const problems: OptionProblem[] = [];
  if (!opts.path.startsWith('/')) problems.push({ option: 'path', reason: `must start with '/', got ${JSON.stringify(opts.path)}` });
  const secretsProblem = webhookSecretsProblem(opts.secrets);
  if (secretsProblem) problems.push({ option: 'secrets', reason: secretsProblem });
  if (!Number.isFinite(opts.toleranceSeconds) || opts.toleranceSeconds <= 0) problems.push({ option: 'toleranceSeconds', reason: 'must be a positive number' });
  if (!Number.isFinite(opts.orderingBufferMs) || opts.orderingBufferMs < 0) {
    problems.push({ option: 'orderingBufferMs', reason: 'must be zero or more' });
  } else if (opts.orderingBufferMs > MAX_ORDERING_BUFFER_MS) {
    problems.push({ option: 'orderingBufferMs', reason: `must be at most ${MAX_ORDERING_BUFFER_MS} (Ada gives up on a webhook after 15 s)` });
  }
  for (const option of ['dedupeCacheSize', 'conversationTtlMs'] as const) {
    const value = opts[option];
    if (value !== undefined && (!Number.isInteger(value) || value <= 0)) problems.push({ option, reason: 'must be a positive integer' });
  }
  return problems;
}

export function validateAdaOptions(opts: AdaAdapterOptions): void {
  const problems = adaOptionsProblems(opts);
  if (problems.length) throw new BridgeError('CONFIG_INVALID', problems.map((p) => `ada: ${p.option} ${p.reason}`).join('; '));
}
