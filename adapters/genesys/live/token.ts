// Client-credentials tokens are never renewed by the SDK (facts §3.2): this keeps one valid, renewing it
// `renewBeforeMs` before expiry (or at half its life if that is shorter), and at once on a 401. Channels are
// bound to the token that created them, so every renewal is announced and the channels roll over.
import type { Logger } from 'pino';
import type { AccessToken } from './api.js';
import { Aborted, backoffMs, sleep } from './timing.js';

export interface TokenKeeperOptions {
  readonly login: () => Promise<AccessToken>;
  readonly renewBeforeMs: number;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  /** After each renewal (not the first login). */
  readonly onRenewed: (token: AccessToken) => void;
}

export class TokenKeeper {
  private current: AccessToken | undefined;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<AccessToken> | undefined;

  constructor(private readonly options: TokenKeeperOptions) {}

  get token(): AccessToken | undefined {
    return this.current;
  }

  /** The first login; failures propagate (a wrong secret should fail the start loudly). */
  async start(): Promise<AccessToken> {
    const token = await this.options.login();
    this.accept(token, false);
    return token;
  }

  /** Renews now; concurrent callers (several 401s at once) share one login. */
  renew(reason: string): Promise<AccessToken> {
    this.inFlight ??= this.renewWithRetry(reason).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async renewWithRetry(reason: string): Promise<AccessToken> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const token = await this.options.login();
        this.options.logger.info({ reason, expiresAt: new Date(token.expiresAt).toISOString(), event: 'genesys.token_renewed' }, 'genesys: access token renewed');
        this.accept(token, true);
        return token;
      } catch (err) {
        if (err instanceof Aborted || this.options.signal.aborted) throw err;
        const wait = backoffMs(attempt, 1000, 60_000);
        this.options.logger.error({ err, attempt, waitMs: wait, event: 'genesys.token_renew_failed' }, 'genesys: token renewal failed; retrying');
        await sleep(wait, this.options.signal);
      }
    }
  }

  private accept(token: AccessToken, renewed: boolean): void {
    this.current = token;
    this.stop();
    const life = token.expiresAt - Date.now();
    const renewIn = Math.max(1000, Math.min(life - this.options.renewBeforeMs, life / 2));
    this.timer = setTimeout(() => {
      this.renew('scheduled, before expiry').catch(() => undefined);
    }, renewIn);
    this.timer.unref();
    if (renewed) this.options.onRenewed(token);
  }
}
