// The Svix check over raw bytes, without the HTTP around it.
import { describe, expect, it } from 'vitest';
import { SignatureVerifier } from '../signature.js';
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
  });

  it('refuses a secret that is not whsec_<base64>, without echoing it', () => {
    for (const bad of ['whsec_', 'whsec_abc', 'whsec_not*base64!', 'whsec_ab=c', 'bm90LXByZWZpeGVk']) {
      expect(() => new SignatureVerifier([bad], 300)).toThrow(/the secret is not a valid Svix secret/);
      try {
        new SignatureVerifier([bad], 300);
      } catch (err) {
        if (bad !== 'whsec_') expect((err as Error).message).not.toContain(bad);
      }
    }
  });
});
