// The Kore.ai Agent AI hooks client: POST {baseUrl}{hooksPath}/{botId} with a JWT header, over a keep-alive
// pool, answering with a SendOutcome that delivery can act on without knowing HTTP. It never retries on its
// own except for the one re-mint after 401/403; backoff and dead letters belong to delivery.
import { Pool } from 'undici';
import { TokenMinter } from './jwt.js';
import { redactSecrets } from '../observability/redact.js';
import { outcomeForError, outcomeForStatus, type SendOutcome } from './outcome.js';
import { postJson, type PostResult } from './post.js';
import { requireOrigin } from '../util/origin.js';
import { BridgeError } from '../errors.js';

export type { SendOutcome } from './outcome.js';

/** What signs and addresses a hooks call: one bot of the configuration (src/config/bots.ts). */
export interface BotCredentials {
  readonly botId: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface AgentAiClientOptions {
  /** scheme://host[:port], no path: the path belongs in hooksPath. */
  baseUrl: string;
  hooksPath: string;
  /** The docs' tables say `auth`, every sample sends `token` (facts.md 1.2). */
  tokenHeader: 'token' | 'auth';
  jwt: { ttlSeconds: number; jti: boolean };
  timeouts: { connectMs: number; headersMs: number; bodyMs: number };
  connections: number;
  /** Idle keep-alive connections are closed after this long (default 2 s); see AGENTAI_KEEPALIVE_MS. */
  keepAliveMs?: number;
}

export const DEFAULT_HOOKS_PATH = '/agentassist/api/v1/hooks';

const MAX_ERROR_TEXT = 500;
const DEFAULT_KEEP_ALIVE_MS = 2000;
/** How much sooner than a server's advertised Keep-Alive timeout an idle connection is dropped. */
const KEEP_ALIVE_MARGIN_MS = 1000;

export class AgentAiClient {
  readonly #pool: Pool;
  readonly #minter: TokenMinter;
  readonly #hooksPath: string;
  readonly #tokenHeader: 'token' | 'auth';

  constructor(opts: AgentAiClientOptions) {
    const origin = requireOrigin(opts.baseUrl, 'Agent AI baseUrl');
    const hooksPath = (opts.hooksPath || DEFAULT_HOOKS_PATH).replace(/\/+$/, '');
    if (!hooksPath.startsWith('/')) throw new BridgeError('CONFIG_INVALID', `Agent AI hooksPath must start with '/', got ${opts.hooksPath}`);
    this.#hooksPath = hooksPath;
    this.#tokenHeader = opts.tokenHeader;
    this.#minter = new TokenMinter({ ttlSeconds: opts.jwt.ttlSeconds, jti: opts.jwt.jti });
    const keepAlive = opts.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS;
    this.#pool = new Pool(origin, {
      connections: opts.connections,
      connectTimeout: opts.timeouts.connectMs,
      headersTimeout: opts.timeouts.headersMs,
      bodyTimeout: opts.timeouts.bodyMs,
      // A request written to a connection the server (or a middlebox) has already closed is reset after it
      // went out: an unknown outcome we caused ourselves. So idle connections are closed on our side first,
      // at our limit or a second before the server's advertised Keep-Alive timeout, whichever comes sooner.
      keepAliveTimeout: keepAlive,
      keepAliveMaxTimeout: keepAlive,
      keepAliveTimeoutThreshold: KEEP_ALIVE_MARGIN_MS,
    });
  }

  /**
   * Posts a body serialised earlier (the outbox stores bodies as JSON text, exactly as they will go out).
   * Every HTTP or transport result resolves to a SendOutcome; the promise rejects only for a configuration
   * error no retry can fix (e.g. an empty clientSecret, which cannot sign an HS256 token).
   */
  async postHookJson(bot: BotCredentials, payload: string): Promise<SendOutcome> {
    const path = `${this.#hooksPath}/${encodeURIComponent(bot.botId)}`;
    const first = await this.#attempt(bot, path, payload);
    if (!isAuthRejection(first.result)) return this.#classify(first.result, [first.token, bot.clientSecret]);
    // A rejected token may be stale (rotated secret, server clock ahead): one fresh token, then give up.
    this.#minter.invalidate(bot.clientId);
    const second = await this.#attempt(bot, path, payload);
    const secrets = [first.token, second.token, bot.clientSecret];
    if (!isAuthRejection(second.result)) return this.#classify(second.result, secrets);
    const { status, text = '' } = second.result;
    return { kind: 'permanent', status, error: redactError(`HTTP ${status} after a fresh token${text ? `: ${text}` : ''}`, secrets) };
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }

  async #attempt(bot: BotCredentials, path: string, payload: string): Promise<{ result: PostResult; token: string }> {
    const token = await this.#minter.token(bot.clientId, bot.clientSecret);
    const result = await postJson(this.#pool, { path, headers: { [this.#tokenHeader]: token }, body: payload, maxTextChars: MAX_ERROR_TEXT });
    return { result, token };
  }

  #classify(result: PostResult, secrets: readonly string[]): SendOutcome {
    const outcome =
      result.kind === 'response'
        ? outcomeForStatus(result.status, result.headers, result.text, Date.now())
        : result.status !== undefined
          ? // The status line arrived and only the body failed: the status already says what Agent AI did.
            outcomeForStatus(result.status, result.headers ?? new Map(), result.text ?? '', Date.now())
          : outcomeForError(result.error, result.sent);
    return outcome.kind === 'ok' ? outcome : { ...outcome, error: redactError(outcome.error, secrets) };
  }
}

function isAuthRejection(result: PostResult): result is PostResult & { status: 401 | 403 } {
  return result.status === 401 || result.status === 403;
}

// Error strings end up in logs and dead-letter rows; a server that echoes headers must not leak credentials.
function redactError(text: string, secrets: readonly string[]): string {
  return redactSecrets(text, secrets).slice(0, MAX_ERROR_TEXT + 100);
}
