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

/** Why the adapter cannot start with these settings, or undefined. */
export function optionsProblem(o: LiveOptions): string | undefined {
  if (o.clientId === '' || o.clientSecret === '') return 'genesys.clientId (GENESYS_CLIENT_ID) and genesys.clientSecret (GENESYS_CLIENT_SECRET) are required';
  if (o.queueIds.length === 0 && o.queueNames.length === 0 && o.userIds.length === 0) {
    return 'nothing to follow: set GENESYS_QUEUE_IDS (ids or "all"), GENESYS_QUEUE_NAMES or GENESYS_USER_IDS';
  }
  if (o.topicHeadroom >= o.topicsPerChannel) return 'genesys.topicHeadroom must be smaller than genesys.topicsPerChannel';
  if (o.maxChannels < 2) return 'genesys.maxChannels must be at least 2 (one is kept free for roll-overs)';
  return undefined;
}
