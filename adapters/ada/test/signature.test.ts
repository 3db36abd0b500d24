// The Svix check over raw bytes, without the HTTP around it.
import { describe, expect, it } from 'vitest';
import { BridgeError } from '../../../src/errors.js';
import { readSignatureHeaders, SignatureVerifier, webhookSecretsProblem } from '../signature.js';
import { makeSecret, sign } from './harness.js';

const NOW = Date.parse('2025-03-01T10:00:00Z');
const TS = Math.floor(NOW / 1000);

describe('SignatureVerifier', () => {
  it('verifies the exact bytes, including bytes that are not UTF-8, against any v1 entry and any secret', () => {
    const [a, b] = [makeSecret(), makeSecret()];
    const verifier = new SignatureVerifier([a, b], 300);
    const body = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    const headers = (secret: string, bytes: Buffer) => ({ id: 'msg_1', timestamp: String(TS), signature: `v1,bm9wZQ== ${sign(secret, 'msg_1', TS, bytes)}` });
    expect(verifier.verify(body, headers(b, body), NOW)).toBe('ok');
    // The same text decoded and re-encoded (U+FFFD for each bad byte) is other bytes: not authentic.
    const lossy = Buffer.from(body.toString('utf8'));
    expect(verifier.verify(body, headers(b, lossy), NOW)).toBe('invalid');
    expect(verifier.verify(body, headers(makeSecret(), body), NOW)).toBe('invalid');
    expect(verifier.verify(body, { ...headers(a, body), signature: 'v2,abc' }, NOW)).toBe('invalid');
  });

  it('names a timestamp outside the tolerance stale, and never tolerates more than the 300 s svix allows', () => {
    const secret = makeSecret();
    const body = Buffer.from('{}');
    const at = (ts: number) => ({ id: 'msg_2', timestamp: String(ts), signature: sign(secret, 'msg_2', ts, body) });
    expect(new SignatureVerifier([secret], 60).verify(body, at(TS - 61), NOW)).toBe('stale');
    expect(new SignatureVerifier([secret], 3600).verify(body, at(TS - 301), NOW)).toBe('stale');
    expect(new SignatureVerifier([secret], 3600).verify(body, at(TS - 299), NOW)).toBe('ok');
    expect(new SignatureVerifier([secret], 300).verify(body, { ...at(TS), timestamp: 'soon' }, NOW)).toBe('invalid');
    // Exactly at the tolerance, either side, is still within it.
    expect(new SignatureVerifier([secret], 60).verify(body, at(TS - 60), NOW)).toBe('ok');
    expect(new SignatureVerifier([secret], 60).verify(body, at(TS + 60), NOW)).toBe('ok');
  });

  it('takes a timestamp of digits only and v1 entries only, even when the rest is signed correctly', () => {
    const secret = makeSecret();
    const verifier = new SignatureVerifier([secret], 300);
    const body = Buffer.from('{}');
    for (const timestamp of [`${TS}x`, `x${TS}`, `${TS}.5`, '']) {
      expect(verifier.verify(body, { id: 'msg_3', timestamp, signature: sign(secret, 'msg_3', timestamp, body) }, NOW)).toBe('invalid');
    }
    const good = sign(secret, 'msg_3', TS, body);
    expect(verifier.verify(body, { id: 'msg_3', timestamp: String(TS), signature: `x${good}` }, NOW)).toBe('invalid');
    expect(verifier.verify(body, { id: 'msg_3', timestamp: String(TS), signature: `v2,abc ${good}` }, NOW)).toBe('ok');
  });

  it('refuses a secret that is not whsec_<base64>, without echoing it', () => {
    // The prefix is exact: `Whsec_` followed by valid base64 is a typo, not a secret.
    for (const bad of ['whsec_', 'whsec_abc', 'whsec_not*base64!', 'whsec_ab=c', 'bm90LXByZWZpeGVk', 'Whsec_AAAA']) {
      expect(() => new SignatureVerifier([bad], 300)).toThrow(/the secret is not a valid Svix secret/);
      try {
        new SignatureVerifier([bad], 300);
      } catch (err) {
        if (bad !== 'whsec_') expect((err as Error).message).not.toContain(bad);
      }
    }
  });

  it('says which of several secrets is wrong, by position, with a stable error code', () => {
    const good = makeSecret();
    expect(webhookSecretsProblem([])).toBe('at least one webhook secret (whsec_...) is required');
    expect(webhookSecretsProblem([good, good])).toBeUndefined();
    expect(webhookSecretsProblem([good, 'whsec_abc'])).toBe('secret 2 of 2 is not a valid Svix secret (whsec_ followed by base64, as Ada shows it)');
    expect(webhookSecretsProblem(['nope', good, 'whsec_'])).toBe('secrets 1, 3 of 3 are not a valid Svix secret (whsec_ followed by base64, as Ada shows it)');
    let thrown: unknown;
    try {
      new SignatureVerifier([good, 'nope'], 300);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(BridgeError);
    expect(thrown).toMatchObject({ code: 'CONFIG_INVALID', message: 'ada: webhook secrets: secret 2 of 2 is not a valid Svix secret (whsec_ followed by base64, as Ada shows it)' });
  });
});

describe('readSignatureHeaders', () => {
  const svix = { 'svix-id': 'msg_1', 'svix-timestamp': '1740823200', 'svix-signature': 'v1,abc' };

  it('needs all three headers, each with more than white space, and trims them', () => {
    expect(readSignatureHeaders({ 'svix-id': ' msg_1 ', 'svix-timestamp': '1740823200 ', 'svix-signature': ' v1,abc' })).toEqual({ id: 'msg_1', timestamp: '1740823200', signature: 'v1,abc' });
    for (const name of Object.keys(svix)) {
      expect(readSignatureHeaders({ ...svix, [name]: undefined })).toBeUndefined();
      expect(readSignatureHeaders({ ...svix, [name]: '  ' })).toBeUndefined();
    }
  });

  it('reads the webhook-* aliases of white-labelled senders; svix-* wins when both are there', () => {
    const aliases = { 'webhook-id': 'msg_2', 'webhook-timestamp': '1740823201', 'webhook-signature': 'v1,def' };
    expect(readSignatureHeaders(aliases)).toEqual({ id: 'msg_2', timestamp: '1740823201', signature: 'v1,def' });
    expect(readSignatureHeaders({ ...aliases, ...svix })).toEqual({ id: 'msg_1', timestamp: '1740823200', signature: 'v1,abc' });
  });
});

