// The Conversation Details and Summary API client (seed: kore-conversation-details-summary-api.txt):
// POST {host}/api/public/bot/{botId}/conversationDetails, JWT in the `auth` header (configurable), body
// {conversationId, isSummaryRequired, lang, skip, limit}. Every request first takes a slot from the per-bot
// rolling limiter (60/min and 1,800/hour, facts.md 1.6). It is a read, so unlike the hooks client it retries
// on its own: 408/429/5xx, transport failures, and "rate limit" answers whatever their status, honouring
// Retry-After and otherwise backing off exponentially with full jitter.
import { Pool } from 'undici';
import { fullJitterDelay } from '../util/backoff.js';
import type { BotCredentials } from './client.js';
import { conversationDetailsSchema, summaryText, type ConversationDetails, type ConversationDetailsRequest, type HistoryMessage } from './details-schema.js';
import { TokenMinter } from './jwt.js';
import { redactSecrets } from '../observability/redact.js';
import { BridgeError, errorCode } from '../errors.js';
import { postJson, type PostResult } from './post.js';
import { parseRetryAfter } from '../util/retry-after.js';
import { PerBotThrottle } from './throttle.js';
import { requireOrigin } from '../util/origin.js';

export const DETAILS_PATH_PREFIX = '/api/public/bot';

export interface RetryPolicy {
  /** Attempts per request, the first included. */
  readonly maxAttempts: number;
  readonly baseMs: number;
  readonly maxMs: number;
}

export interface ConversationDetailsClientOptions {
  /** scheme://host[:port] (config agentai.url). */
  readonly baseUrl: string;
  /** config agentai.detailsTokenHeader; the seed's curl sends `auth`. */
  readonly tokenHeader: 'token' | 'auth';
  readonly jwt: { readonly ttlSeconds: number; readonly jti: boolean };
  readonly timeouts?: { readonly connectMs: number; readonly headersMs: number; readonly bodyMs: number };
  readonly connections?: number;
  /** Shared per-bot limiter; defaults to Kore's bot tier. Share one instance per process. */
  readonly throttle?: PerBotThrottle;
  readonly retry?: RetryPolicy;
  /** Replaceable for tests. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export const DEFAULT_DETAILS_RETRY: RetryPolicy = { maxAttempts: 5, baseMs: 1000, maxMs: 30_000 };

/** Why a details request failed for good (retries exhausted, or an answer no retry can change). */
export type DetailsErrorCode = 'AGENTAI_DETAILS_REJECTED' | 'AGENTAI_DETAILS_UNAVAILABLE' | 'AGENTAI_DETAILS_BAD_ANSWER';

export class DetailsError extends BridgeError {
  constructor(
    code: DetailsErrorCode,
    message: string,
    retryable: boolean,
    readonly status?: number,
  ) {
    super(code, message, { retryable });
    this.name = 'DetailsError';
  }
}

export interface HistoryOptions {
  /** Messages per page (the request's `limit`). */
  readonly pageSize: number;
  readonly lang?: string;
  /** Safety stop for a server that never returns a short page. */
  readonly maxPages?: number;
  /** Ask for the summary with the first page too. */
  readonly withSummary?: boolean;
}

export interface ConversationHistory {
  /** The first page's answer (conversationInfo, conversationFlow, summary); its history is the first page only. */
  readonly first: ConversationDetails;
  readonly messages: HistoryMessage[];
  readonly pages: number;
  /** True when maxPages stopped the paging before a short page did. */
  readonly truncated: boolean;
}

const MAX_TEXT = 2 * 1024 * 1024;
const MAX_ERROR_TEXT = 300;

export class ConversationDetailsClient {
  readonly #pool: Pool;
  readonly #minter: TokenMinter;
  readonly #opts: ConversationDetailsClientOptions;
  readonly #throttle: PerBotThrottle;
  readonly #retry: RetryPolicy;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;

  constructor(opts: ConversationDetailsClientOptions) {
    const origin = requireOrigin(opts.baseUrl, 'Agent AI baseUrl');
    this.#opts = opts;
    this.#minter = new TokenMinter({ ttlSeconds: opts.jwt.ttlSeconds, jti: opts.jwt.jti });
    this.#throttle = opts.throttle ?? new PerBotThrottle();
    this.#retry = opts.retry ?? DEFAULT_DETAILS_RETRY;
    this.#sleep = opts.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#random = opts.random ?? Math.random;
    const t = opts.timeouts ?? { connectMs: 5000, headersMs: 15_000, bodyMs: 15_000 };
    this.#pool = new Pool(origin, {
      connections: opts.connections ?? 4,
      connectTimeout: t.connectMs,
      headersTimeout: t.headersMs,
      bodyTimeout: t.bodyMs,
    });
  }

  /** One page. Throws DetailsError when retries are exhausted or the answer is final (400, 404, bad JSON...). */
  async fetchPage(bot: BotCredentials, req: ConversationDetailsRequest): Promise<ConversationDetails> {
    const path = `${DETAILS_PATH_PREFIX}/${encodeURIComponent(bot.botId)}/conversationDetails`;
    const body = JSON.stringify({
      conversationId: req.conversationId,
      isSummaryRequired: req.isSummaryRequired,
      ...(req.lang ? { lang: req.lang } : {}),
      ...(req.skip !== undefined ? { skip: req.skip } : {}),
      ...(req.limit !== undefined ? { limit: req.limit } : {}),
    });
    let reminted = false;
    for (let attempt = 1; ; attempt += 1) {
      await this.#throttle.acquire(bot.botId);
      const token = await this.#minter.token(bot.clientId, bot.clientSecret);
      const result = await postJson(this.#pool, { path, headers: { [this.#opts.tokenHeader]: token }, body, maxTextChars: MAX_TEXT });
      const secrets = [token, bot.clientSecret];
      if ((result.status === 401 || result.status === 403) && !reminted) {
        // A stale token (rotated secret, clock skew): one fresh token, not counted as an attempt.
        reminted = true;
        this.#minter.invalidate(bot.clientId);
        attempt -= 1;
        continue;
      }
      const verdict = classify(result, Date.now());
      if (verdict.kind === 'ok') return parseDetails(verdict.text);
      const error = redactSecrets(verdict.error, secrets);
      if (verdict.kind === 'final' || attempt >= this.#retry.maxAttempts) {
        throw new DetailsError(
          verdict.kind === 'final' ? 'AGENTAI_DETAILS_REJECTED' : 'AGENTAI_DETAILS_UNAVAILABLE',
          verdict.kind === 'final' ? error : `${error} (gave up after ${attempt} attempts)`,
          verdict.kind === 'retry',
          verdict.status,
        );
      }
      const backoff = fullJitterDelay(attempt, this.#retry.baseMs, this.#retry.maxMs, this.#random);
      await this.#sleep(Math.max(backoff, verdict.retryAfterMs ?? 0));
    }
  }

  /** The summary text, or undefined while Agent AI has none for this conversation yet. */
  async summary(bot: BotCredentials, conversationId: string, lang?: string): Promise<{ text: string | undefined; details: ConversationDetails }> {
    // limit 1: the summary is what is wanted here, not the transcript.
    const details = await this.fetchPage(bot, { conversationId, isSummaryRequired: true, skip: 0, limit: 1, ...(lang ? { lang } : {}) });
    return { text: summaryText(details), details };
  }

  /** Every history message, page by page (skip/limit), in the order Agent AI returns them. */
  async history(bot: BotCredentials, conversationId: string, opts: HistoryOptions): Promise<ConversationHistory> {
    if (!Number.isInteger(opts.pageSize) || opts.pageSize < 1) throw new RangeError(`pageSize must be a whole number >= 1, got ${opts.pageSize}`);
    const maxPages = opts.maxPages ?? 200;
    const messages: HistoryMessage[] = [];
    let first: ConversationDetails | undefined;
    let pages = 0;
    for (;;) {
      const page = await this.fetchPage(bot, {
        conversationId,
        isSummaryRequired: pages === 0 && Boolean(opts.withSummary),
        skip: messages.length,
        limit: opts.pageSize,
        ...(opts.lang ? { lang: opts.lang } : {}),
      });
      pages += 1;
      first ??= page;
      const items = page.conversationHistory ?? [];
      messages.push(...items);
      if (items.length < opts.pageSize) return { first, messages, pages, truncated: false };
      if (pages >= maxPages) return { first, messages, pages, truncated: true };
    }
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }
}

type Verdict =
  | { kind: 'ok'; text: string }
  | { kind: 'retry'; status?: number; retryAfterMs?: number; error: string }
  | { kind: 'final'; status?: number; error: string };

function classify(result: PostResult, nowMs: number): Verdict {
  if (result.kind === 'error') {
    // A read: resending is always safe, whether or not the request left the socket.
    const code = errorCode(result.error);
    return { kind: 'retry', ...(result.status !== undefined ? { status: result.status } : {}), error: `${code ? `${code}: ` : ''}${result.error.message}` };
  }
  const { status, text, headers } = result;
  if (status >= 200 && status < 300) return { kind: 'ok', text };
  const error = `HTTP ${status}${text ? `: ${text.slice(0, MAX_ERROR_TEXT)}` : ''}`;
  // The status of a rate-limit answer is undocumented (facts.md 1.6): the message text decides too.
  if (status === 408 || status === 429 || status >= 500 || /rate limit/i.test(text)) {
    const retryAfterMs = parseRetryAfter(headers.get('retry-after'), nowMs);
    return { kind: 'retry', status, error, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  return { kind: 'final', status, error };
}

function parseDetails(text: string): ConversationDetails {
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch {
    throw new DetailsError('AGENTAI_DETAILS_BAD_ANSWER', `conversationDetails answered with a body that is not JSON: ${text.slice(0, 100)}`, false);
  }
  const parsed = conversationDetailsSchema.safeParse(json);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
    throw new DetailsError('AGENTAI_DETAILS_BAD_ANSWER', `conversationDetails answer has an unexpected shape: ${why}`, false);
  }
  return parsed.data;
}


