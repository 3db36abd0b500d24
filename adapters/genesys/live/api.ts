// What the live adapter needs from Genesys Cloud's REST API, in the adapter's own terms. The SDK-backed
// implementation is in sdk.ts; tests may substitute their own.

export interface AccessToken {
  readonly accessToken: string;
  /** Epoch ms. */
  readonly expiresAt: number;
}

export interface ChannelInfo {
  readonly id: string;
  readonly connectUri: string;
  /** Epoch ms, when Genesys said; channels live 24 h. */
  readonly expiresAt?: number;
}

export interface TopicResult {
  readonly id: string;
  readonly state?: string;
  readonly rejectionReason?: string;
  readonly missingPermissions?: readonly string[];
}

export interface QueueRef {
  readonly id: string;
  readonly name?: string;
}

export interface QueuePage {
  readonly entities: readonly QueueRef[];
  readonly pageCount?: number;
}

export interface UserRef {
  readonly id: string;
  readonly name?: string;
  readonly email?: string;
}

export interface GenesysApi {
  login(): Promise<AccessToken>;
  createChannel(): Promise<ChannelInfo>;
  /** HEAD the channel: true on 200, false on 404; throws otherwise. */
  channelExists(channelId: string): Promise<boolean>;
  /** Replaces the channel's topics (ignoreErrors: per-topic rejections come back instead of a 4xx). */
  putSubscriptions(channelId: string, topics: readonly string[]): Promise<TopicResult[]>;
  /** Adds topics to the channel. */
  postSubscriptions(channelId: string, topics: readonly string[]): Promise<TopicResult[]>;
  deleteSubscriptions(channelId: string): Promise<void>;
  /** The REST conversation (nested shape), or undefined on 404. */
  getConversation(conversationId: string): Promise<unknown>;
  /** MessageData entities for these ids. */
  getMessages(conversationId: string, messageIds: readonly string[]): Promise<unknown[]>;
  getUser(userId: string): Promise<UserRef>;
  getQueue(queueId: string): Promise<QueueRef>;
  listQueues(pageNumber: number, pageSize: number, name?: string): Promise<QueuePage>;
  /** POST /api/v2/analytics/conversations/details/query; the raw response body. */
  conversationDetailsQuery(body: Record<string, unknown>): Promise<unknown>;
}
