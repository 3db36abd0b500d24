// Mints the JWT the hooks API expects: HS256 over {appId: clientId}, signed with the JWT app's client
// secret (facts.md 1.1). Tenants with "Enforce JTI" reject a reused jti as a replay, so that mode mints a
// fresh token per request; otherwise one token per client is reused until shortly before it expires.
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';

export interface JwtOptions {
  ttlSeconds: number;
  /** Fresh jti per token, never cached. */
  jti: boolean;
  /** Epoch milliseconds; replaceable so tests can move time. */
  now?: () => number;
}

/** A cached token is dropped this long before its exp, so it never expires in flight. */
const RENEW_MARGIN_SECONDS = 60;

interface Cached {
  readonly token: string;
  readonly secret: string;
  readonly exp: number;
}

export class TokenMinter {
  readonly #opts: JwtOptions;
  readonly #now: () => number;
  readonly #cache = new Map<string, Cached>();

  constructor(opts: JwtOptions) {
    if (!Number.isInteger(opts.ttlSeconds) || opts.ttlSeconds <= 0) {
      throw new RangeError(`jwt ttlSeconds must be a positive integer, got ${opts.ttlSeconds}`);
    }
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
  }

  async token(clientId: string, clientSecret: string): Promise<string> {
    const nowSec = Math.floor(this.#now() / 1000);
    if (!this.#opts.jti) {
      const cached = this.#cache.get(clientId);
      // A rotated secret must not keep using a token signed with the old one.
      if (cached && cached.secret === clientSecret && nowSec < cached.exp - RENEW_MARGIN_SECONDS) return cached.token;
    }
    const exp = nowSec + this.#opts.ttlSeconds;
    const jwt = new SignJWT({ appId: clientId }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt(nowSec).setExpirationTime(exp);
    if (this.#opts.jti) jwt.setJti(randomUUID());
    const token = await jwt.sign(new TextEncoder().encode(clientSecret));
    if (!this.#opts.jti) this.#cache.set(clientId, { token, secret: clientSecret, exp });
    return token;
  }

  /** Forget the cached token, e.g. after Agent AI answered 401, so the next call mints a new one. */
  invalidate(clientId: string): void {
    this.#cache.delete(clientId);
  }
}
