// GenesysApi through purecloud-platform-client-v2 (facts §3). The SDK is CommonJS: default import only
// (named imports compile but fail at runtime). Each adapter gets its own ApiClient, so tests and several
// bridges in one process never share the SDK's global instance. The SDK's home-directory config file is
// switched off: a stray ~/.genesyscloudjavascript/config could otherwise redirect traffic or turn on
// request logging with tokens in it. The SDK itself is loaded on the first call (sdk-module.ts), not when the
// adapter is built.
import type platformClient from 'purecloud-platform-client-v2';
import type { Logger } from 'pino';
import { genesysSdk } from '../sdk-module.js';
import type { AccessToken, ChannelInfo, GenesysApi, QueuePage, QueueRef, TopicResult, UserRef } from './api.js';
import { GenesysRestError, responseBody, responseStatus, toRestError } from './rest-error.js';
import { backoffMs, sleep } from './timing.js';
import { rec } from './records.js';

type SdkClient = typeof platformClient.ApiClient;

export interface SdkApiOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly environment: string;
  /** scheme://host[:port], or '' for none. */
  readonly gatewayUrl: string;
  readonly requestTimeoutMs: number;
  readonly rateLimitRetries: number;
  readonly logger: Logger;
  readonly signal: AbortSignal;
}

/** A fresh, isolated SDK client: no config file, no live reload, our environment and gateway. */
export function createSdkClient(options: Pick<SdkApiOptions, 'environment' | 'gatewayUrl' | 'requestTimeoutMs'>): SdkClient {
  // The package's default export holds the class as ApiClientClass (runtime) next to a shared instance.
  const Ctor = (genesysSdk() as unknown as { ApiClientClass: new () => SdkClient }).ApiClientClass;
  const client = new Ctor();
  const config = client.config as unknown as {
    setConfigPath(path: string): void;
    live_reload_config: boolean;
    logger: { log_level: string; log_to_console: boolean; log_file_path?: string; setLogger(): void };
  };
  // The constructor has already read the file once; clear the path, stop watching, and undo what it set.
  config.setConfigPath('');
  config.live_reload_config = false;
  config.logger.log_level = 'none';
  config.logger.log_to_console = false;
  config.logger.setLogger();
  client.setGateway(undefined as never);
  client.setEnvironment(options.environment);
  if (options.gatewayUrl !== '') {
    const url = new URL(options.gatewayUrl);
    const port = url.port !== '' ? Number(url.port) : undefined;
    client.setGateway({ host: url.hostname, protocol: url.protocol.replace(':', ''), ...(port !== undefined ? { port } : {}) });
  }
  client.setReturnExtendedResponses(true);
  (client as unknown as { timeout: number }).timeout = options.requestTimeoutMs;
  return client;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function list(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  const entities = rec(value).entities;
  return Array.isArray(entities) ? entities : [];
}

function topicResults(value: unknown): TopicResult[] {
  return list(value).flatMap((item) => {
    const t = rec(item);
    const id = str(t.id);
    if (!id) return [];
    const missing = Array.isArray(t.missingPermissions) ? t.missingPermissions.filter((p): p is string => typeof p === 'string') : undefined;
    return [{ id, ...(str(t.state) ? { state: str(t.state) } : {}), ...(str(t.rejectionReason) ? { rejectionReason: str(t.rejectionReason) } : {}), ...(missing ? { missingPermissions: missing } : {}) }];
  });
}

interface SdkParts {
  readonly client: SdkClient;
  readonly notifications: InstanceType<typeof platformClient.NotificationsApi>;
  readonly conversations: InstanceType<typeof platformClient.ConversationsApi>;
  readonly users: InstanceType<typeof platformClient.UsersApi>;
  readonly routing: InstanceType<typeof platformClient.RoutingApi>;
  readonly analytics: InstanceType<typeof platformClient.AnalyticsApi>;
}

export class SdkGenesysApi implements GenesysApi {
  #parts: SdkParts | undefined;
  /** Set by the token keeper: a 401 means the token expired early (or was revoked); renew once and retry. */
  onUnauthorized: (() => Promise<void>) | undefined;

  constructor(private readonly options: SdkApiOptions) {}

  /** The SDK client and its API objects, built (and the SDK loaded) on first use. */
  private get parts(): SdkParts {
    if (!this.#parts) {
      const sdk = genesysSdk();
      const client = createSdkClient(this.options);
      this.#parts = {
        client,
        notifications: new sdk.NotificationsApi(client),
        conversations: new sdk.ConversationsApi(client),
        users: new sdk.UsersApi(client),
        routing: new sdk.RoutingApi(client),
        analytics: new sdk.AnalyticsApi(client),
      };
    }
    return this.#parts;
  }

  get client(): SdkClient {
    return this.parts.client;
  }

  private get notifications(): SdkParts['notifications'] {
    return this.parts.notifications;
  }

  private get conversations(): SdkParts['conversations'] {
    return this.parts.conversations;
  }

  private get users(): SdkParts['users'] {
    return this.parts.users;
  }

  private get routing(): SdkParts['routing'] {
    return this.parts.routing;
  }

  private get analytics(): SdkParts['analytics'] {
    return this.parts.analytics;
  }

  /** Runs a call with 429 handling (Retry-After, else backoff) and one token renewal on 401. */
  private async call<T>(what: string, run: () => Promise<T>, kind: 'login' | 'api' = 'api'): Promise<T> {
    let renewed = false;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await run();
      } catch (raw) {
        const err = toRestError(raw, what, Date.now(), kind);
        if (err.status === 429 && attempt <= this.options.rateLimitRetries) {
          const wait = err.retryAfterMs ?? backoffMs(attempt, 1000, 60_000);
          this.options.logger.warn({ what, waitMs: wait, attempt, event: 'genesys.rate_limited' }, 'genesys: rate limited (429); waiting Retry-After');
          await sleep(wait, this.options.signal);
          continue;
        }
        if (err.status === 401 && !renewed && this.onUnauthorized) {
          renewed = true;
          this.options.logger.warn({ what, event: 'genesys.unauthorized_retry' }, 'genesys: 401 unauthorized; renewing the token and retrying once');
          await this.onUnauthorized();
          continue;
        }
        throw err;
      }
    }
  }

  async login(): Promise<AccessToken> {
    return this.call('POST /oauth/token', async () => {
      const auth = await this.client.loginClientCredentialsGrant(this.options.clientId, this.options.clientSecret);
      return { accessToken: auth.accessToken, expiresAt: auth.tokenExpiryTime };
    }, 'login');
  }

  async createChannel(): Promise<ChannelInfo> {
    const body = rec(responseBody(await this.call('POST channels', () => this.notifications.postNotificationsChannels())));
    const id = str(body.id);
    const connectUri = str(body.connectUri);
    if (!id || !connectUri) throw new GenesysRestError('GENESYS_BAD_ANSWER', 'POST channels: no id/connectUri in the answer', undefined, undefined, body);
    const expires = str(body.expires) ? Date.parse(String(body.expires)) : NaN;
    return { id, connectUri, ...(Number.isFinite(expires) ? { expiresAt: expires } : {}) };
  }

  async channelExists(channelId: string): Promise<boolean> {
    try {
      const res: unknown = await this.call('HEAD channel', () => this.notifications.headNotificationsChannel(channelId));
      const status = responseStatus(res);
      return status === undefined || (status >= 200 && status < 300);
    } catch (err) {
      if (err instanceof GenesysRestError && err.status === 404) return false;
      throw err;
    }
  }

  async putSubscriptions(channelId: string, topics: readonly string[]): Promise<TopicResult[]> {
    const body = topics.map((id) => ({ id }));
    return topicResults(responseBody(await this.call('PUT subscriptions', () => this.notifications.putNotificationsChannelSubscriptions(channelId, body, { ignoreErrors: true }))));
  }

  async postSubscriptions(channelId: string, topics: readonly string[]): Promise<TopicResult[]> {
    const body = topics.map((id) => ({ id }));
    return topicResults(responseBody(await this.call('POST subscriptions', () => this.notifications.postNotificationsChannelSubscriptions(channelId, body, { ignoreErrors: true }))));
  }

  async deleteSubscriptions(channelId: string): Promise<void> {
    await this.call('DELETE subscriptions', () => this.notifications.deleteNotificationsChannelSubscriptions(channelId));
  }

  async getConversation(conversationId: string): Promise<unknown> {
    try {
      return responseBody(await this.call('GET conversation', () => this.conversations.getConversation(conversationId)));
    } catch (err) {
      if (err instanceof GenesysRestError && err.status === 404) return undefined;
      throw err;
    }
  }

  async getMessages(conversationId: string, messageIds: readonly string[]): Promise<unknown[]> {
    const res = await this.call('POST messages/bulk', () => this.conversations.postConversationsMessageMessagesBulk(conversationId, { body: [...messageIds] }));
    return list(responseBody(res));
  }

  async getUser(userId: string): Promise<UserRef> {
    const body = rec(responseBody(await this.call('GET user', () => this.users.getUser(userId))));
    return { id: userId, ...(str(body.name) ? { name: str(body.name) } : {}), ...(str(body.email) ? { email: str(body.email) } : {}) };
  }

  async getQueue(queueId: string): Promise<QueueRef> {
    const body = rec(responseBody(await this.call('GET queue', () => this.routing.getRoutingQueue(queueId))));
    return { id: queueId, ...(str(body.name) ? { name: str(body.name) } : {}) };
  }

  async listQueues(pageNumber: number, pageSize: number, name?: string): Promise<QueuePage> {
    const body = rec(responseBody(await this.call('GET queues', () => this.routing.getRoutingQueues({ pageNumber, pageSize, ...(name ? { name } : {}) }))));
    const entities = list(body).flatMap((q) => {
      const id = str(rec(q).id);
      const qn = str(rec(q).name);
      return id ? [{ id, ...(qn ? { name: qn } : {}) }] : [];
    });
    return { entities, ...(typeof body.pageCount === 'number' ? { pageCount: body.pageCount } : {}) };
  }

  async conversationDetailsQuery(body: Record<string, unknown>): Promise<unknown> {
    return responseBody(await this.call('POST analytics details query', () => this.analytics.postAnalyticsConversationsDetailsQuery(body as never)));
  }
}
