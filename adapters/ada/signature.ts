// Svix signature check over the raw body bytes: HMAC-SHA256 of `${id}.${timestamp}.` + body, keyed with the
// base64 part of a whsec_ secret, compared in constant time with every v1 entry of the signature header. Done by
// hand rather than with the svix library because the library turns the body into a string first, so a correctly
// signed body that is not valid UTF-8 would fail as "invalid signature" (401, retried for a week) instead of
// reaching the check that answers it 400. Several secrets during rotation, our own clock and tolerance, and the
// header aliases are ours too.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { BridgeError } from '../../src/errors.js';

export interface SignatureHeaders {
  readonly id: string;
  readonly timestamp: string;
  readonly signature: string;
}

export type Verdict = 'ok' | 'stale' | 'invalid';

/** Svix sends svix-*; white-labelled senders send webhook-*. svix-* wins when both are present, as in the lib. */
export function readSignatureHeaders(headers: IncomingHttpHeaders): SignatureHeaders | undefined {
  const id = header(headers, 'svix-id') ?? header(headers, 'webhook-id');
  const timestamp = header(headers, 'svix-timestamp') ?? header(headers, 'webhook-timestamp');
  const signature = header(headers, 'svix-signature') ?? header(headers, 'webhook-signature');
  return id && timestamp && signature ? { id, timestamp, signature } : undefined;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first?.trim() ? first.trim() : undefined;
}

const SECRET_PREFIX = 'whsec_';
/** Svix's own libraries refuse timestamps more than 5 minutes off; a larger tolerance does not loosen that. */
const SVIX_TOLERANCE_SECONDS = 300;

/** The HMAC key of a whsec_<base64> secret, or undefined when it is not one. Strict, as the svix library was:
 * Buffer.from would silently skip what is not base64. */
function secretKey(secret: string): Buffer | undefined {
  if (!secret.startsWith(SECRET_PREFIX)) return undefined;
  const encoded = secret.slice(SECRET_PREFIX.length);
  if (encoded.length === 0 || encoded.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return undefined;
  return Buffer.from(encoded, 'base64');
}

/** Why these secrets cannot verify a webhook (none: they can), by position; never echoes a secret. */
export function webhookSecretsProblem(secrets: readonly string[]): string | undefined {
  if (secrets.length === 0) return 'at least one webhook secret (whsec_...) is required';
  const bad = secrets.flatMap((secret, index) => (secretKey(secret) ? [] : [index + 1]));
  if (bad.length === 0) return undefined;
  const which = secrets.length === 1 ? 'the secret is' : `secret${bad.length > 1 ? 's' : ''} ${bad.join(', ')} of ${secrets.length} ${bad.length > 1 ? 'are' : 'is'}`;
  return `${which} not a valid Svix secret (whsec_ followed by base64, as Ada shows it)`;
}

export class SignatureVerifier {
  private readonly keys: readonly Buffer[];

  constructor(
    secrets: readonly string[],
    private readonly toleranceSeconds: number,
  ) {
    const problem = webhookSecretsProblem(secrets);
    if (problem) throw new BridgeError('CONFIG_INVALID', `ada: webhook secrets: ${problem}`);
    this.keys = secrets.map((secret) => secretKey(secret) ?? Buffer.alloc(0));
  }

  verify(rawBody: Buffer, headers: SignatureHeaders, nowMs: number): Verdict {
    // Checked before the HMAC so a replay outside our tolerance is named as such, whatever the secret.
    if (!/^\d+$/.test(headers.timestamp)) return 'invalid';
    const skew = Math.abs(Math.floor(nowMs / 1000) - Number(headers.timestamp));
    if (skew > Math.min(this.toleranceSeconds, SVIX_TOLERANCE_SECONDS)) return 'stale';

    const offered = headers.signature
      .split(' ')
      .map((entry) => /^v1,(.+)$/.exec(entry)?.[1])
      .filter((b64): b64 is string => b64 !== undefined)
      .map((b64) => Buffer.from(b64, 'base64'));
    const prefix = Buffer.from(`${headers.id}.${headers.timestamp}.`, 'utf8');
    for (const key of this.keys) {
      const expected = createHmac('sha256', key).update(prefix).update(rawBody).digest();
      if (offered.some((sig) => sig.length === expected.length && timingSafeEqual(sig, expected))) return 'ok';
    }
    return 'invalid';
  }
}
