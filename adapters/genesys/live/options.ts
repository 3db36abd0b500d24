// The live adapter's settings, read once from the bridge config so the rest of the code never touches
// convict shapes (and tests can build them directly).
import type { BridgeConfig } from '../../../src/config/load.js';

export interface LiveOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly environment: string;
  readonly gatewayUrl: string;
  readonly queueIds: readonly string[];
  readonly queueNames: readonly string[];
  readonly userIds: readonly string[];
  readonly conversationTopics: readonly string[];
  readonly transcription: boolean;
  readonly internalSpeechWithoutAgent: 'drop' | 'keep';
  readonly topicsPerChannel: number;
  readonly topicHeadroom: number;
  readonly maxChannels: number;
  readonly heartbeatTimeoutMs: number;
  readonly pingTimeoutMs: number;
  readonly reconnectBaseMs: number;
  readonly reconnectMaxMs: number;
  readonly channelRolloverBeforeExpiryMs: number;
  readonly rolloverOverlapMs: number;
  readonly tokenRenewBeforeExpiryMs: number;
  readonly deliverGapConversations: boolean;
  readonly reconcileMarginMs: number;
  readonly cursorFlushMs: number;
  readonly apiRequestsPerMinute: number;
  readonly apiConcurrency: number;
  readonly staleReconcileMs: number;
  readonly enrichTimeoutMs: number;
  readonly enrichCacheTtlMs: number;
  readonly messageFetchTimeoutMs: number;
  readonly messageTextDeadlineMs: number;
  readonly requestTimeoutMs: number;
  readonly rateLimitRetries: number;
}

export function liveOptions(config: BridgeConfig): LiveOptions {
  return { ...config.genesys };
}

export interface OptionProblem {
  readonly option: keyof LiveOptions;
  readonly reason: string;
}

/**
 * Why the adapter cannot start with these settings (none: it can). The one rule set: the config check
 * (adapters/genesys/config.ts) refuses these before `run` opens anything, the adapter refuses them again
 * when it is built by hand (tests, tools).
 */
export function optionsProblems(o: LiveOptions): OptionProblem[] {
  const problems: OptionProblem[] = [];
  if (o.clientId === '') problems.push({ option: 'clientId', reason: 'required when BRIDGE_ADAPTERS includes genesys' });
  if (o.clientSecret === '') problems.push({ option: 'clientSecret', reason: 'required when BRIDGE_ADAPTERS includes genesys' });
  if (o.queueIds.length === 0 && o.queueNames.length === 0 && o.userIds.length === 0) {
    problems.push({ option: 'queueIds', reason: 'nothing to follow: set GENESYS_QUEUE_IDS (ids or "all"), GENESYS_QUEUE_NAMES or GENESYS_USER_IDS' });
  }
  if (o.topicHeadroom >= o.topicsPerChannel) {
    problems.push({ option: 'topicHeadroom', reason: `must be smaller than GENESYS_TOPICS_PER_CHANNEL (${o.topicsPerChannel}): the headroom is kept free on each channel` });
  }
  if (o.maxChannels < 2) problems.push({ option: 'maxChannels', reason: 'must be at least 2 (one is kept free for roll-overs)' });
  return problems;
}

/** The same as one sentence, or undefined. */
export function optionsProblem(o: LiveOptions): string | undefined {
  const problems = optionsProblems(o);
  return problems.length ? problems.map((p) => `genesys.${p.option}: ${p.reason}`).join('; ') : undefined;
}
