// Svix signature check over the raw body. The svix library does the HMAC and its constant-time compare; we add
// what it cannot know: several secrets during rotation, our own clock and tolerance, and the header aliases.
import type { IncomingHttpHeaders } from 'node:http';
import { Webhook, WebhookVerificationError } from 'svix';
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

/** Why svix would refuse these secrets (none: it takes them), by position; never echoes a secret. */
export function webhookSecretsProblem(secrets: readonly string[]): string | undefined {
  if (secrets.length === 0) return 'at least one webhook secret (whsec_...) is required';
  const bad = secrets.flatMap((secret, index) => (isSvixSecret(secret) ? [] : [index + 1]));
  if (bad.length === 0) return undefined;
  const which = secrets.length === 1 ? 'the secret is' : `secret${bad.length > 1 ? 's' : ''} ${bad.join(', ')} of ${secrets.length} ${bad.length > 1 ? 'are' : 'is'}`;
  return `${which} not a valid Svix secret (whsec_ followed by base64, as Ada shows it)`;
}

function isSvixSecret(secret: string): boolean {
  if (!secret.startsWith('whsec_')) return false;
  try {
    new Webhook(secret);
    return true;
  } catch {
    return false;
  }
}

export class SignatureVerifier {
  private readonly webhooks: readonly Webhook[];

  constructor(
    secrets: readonly string[],
    private readonly toleranceSeconds: number,
  ) {
    const problem = webhookSecretsProblem(secrets);
    if (problem) throw new BridgeError('CONFIG_INVALID', `ada: webhook secrets: ${problem}`);
    this.webhooks = secrets.map((secret) => new Webhook(secret));
  }

  verify(rawBody: string, headers: SignatureHeaders, nowMs: number): Verdict {
    // Checked before the HMAC so a replay outside our tolerance is named as such, whatever the secret, and
    // with the adapter's clock (svix reads Date.now()).
    if (!/^\d+$/.test(headers.timestamp)) return 'invalid';
    const skew = Math.abs(Math.floor(nowMs / 1000) - Number(headers.timestamp));
    if (skew > this.toleranceSeconds) return 'stale';

    const svixHeaders = {
      'svix-id': headers.id,
      'svix-timestamp': headers.timestamp,
      'svix-signature': headers.signature,
    };
    let staleForSvix = false;
    for (const webhook of this.webhooks) {
      try {
        webhook.verify(rawBody, svixHeaders);
        return 'ok';
      } catch (error) {
        // svix 1.x JSON-parses the body only after a signature matched, so a SyntaxError means "authentic but
        // not JSON": the caller's own parse answers 400 for it. (svix 2.x does not parse at all.)
        if (error instanceof SyntaxError) return 'ok';
        if (error instanceof WebhookVerificationError && /timestamp too (old|new)/i.test(error.message)) {
          staleForSvix = true;
        }
      }
    }
    return staleForSvix ? 'stale' : 'invalid';
  }
}
