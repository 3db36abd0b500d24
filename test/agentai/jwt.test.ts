import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { TokenMinter } from '../../src/agentai/jwt.js';

const secret = 'client-secret-1234567890';
const key = new TextEncoder().encode(secret);

function clock(startMs: number): { now: () => number; advance: (s: number) => void } {
  let t = startMs;
  return { now: () => t, advance: (s) => (t += s * 1000) };
}

describe('TokenMinter', () => {
  it('mints an HS256 token that verifies with the client secret and carries appId, iat, exp = iat + ttl', async () => {
    const minter = new TokenMinter({ ttlSeconds: 900, jti: false });
    const token = await minter.token('cs-app', secret);
    const { payload, protectedHeader } = await jwtVerify(token, key, { algorithms: ['HS256'] });
    expect(protectedHeader).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload.appId).toBe('cs-app');
    expect(typeof payload.iat).toBe('number');
    expect(payload.exp).toBe((payload.iat ?? 0) + 900);
    expect(Math.abs((payload.iat ?? 0) - Date.now() / 1000)).toBeLessThan(5);
    expect(payload.jti).toBeUndefined();
    await expect(jwtVerify(token, new TextEncoder().encode('another-secret'))).rejects.toThrow();
  });

  it('jti mode gives every request its own jti and never reuses a token', async () => {
    const minter = new TokenMinter({ ttlSeconds: 3600, jti: true });
    const tokens = await Promise.all([1, 2, 3].map(() => minter.token('cs-app', secret)));
    const jtis = tokens.map((t) => decodeJwt(t).jti);
    expect(new Set(tokens).size).toBe(3);
    expect(new Set(jtis).size).toBe(3);
    for (const jti of jtis) expect(jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('cached mode reuses a token until 60 s before exp, then mints a new one', async () => {
    const c = clock(1_700_000_000_000);
    const minter = new TokenMinter({ ttlSeconds: 600, jti: false, now: c.now });
    const first = await minter.token('cs-app', secret);
    c.advance(539);
    expect(await minter.token('cs-app', secret)).toBe(first);
    c.advance(1); // now exactly 60 s before exp
    const second = await minter.token('cs-app', secret);
    expect(second).not.toBe(first);
    expect(decodeJwt(second).iat).toBe(1_700_000_000 + 540);
  });

  it('invalidate forces a re-mint, and only for that client', async () => {
    const c = clock(1_700_000_000_000);
    const minter = new TokenMinter({ ttlSeconds: 600, jti: false, now: c.now });
    const a1 = await minter.token('cs-a', secret);
    const b1 = await minter.token('cs-b', secret);
    c.advance(5);
    minter.invalidate('cs-a');
    const a2 = await minter.token('cs-a', secret);
    expect(a2).not.toBe(a1);
    expect(decodeJwt(a2).iat).toBe(1_700_000_005);
    expect(await minter.token('cs-b', secret)).toBe(b1);
  });

  it('a rotated secret is not served a token signed with the old one', async () => {
    const minter = new TokenMinter({ ttlSeconds: 600, jti: false });
    await minter.token('cs-app', secret);
    const rotated = await minter.token('cs-app', 'the-new-secret-0000');
    await expect(jwtVerify(rotated, new TextEncoder().encode('the-new-secret-0000'))).resolves.toBeTruthy();
    expect(decodeProtectedHeader(rotated).alg).toBe('HS256');
  });

  it('refuses a ttl that is not a positive whole number of seconds', () => {
    expect(() => new TokenMinter({ ttlSeconds: 0, jti: false })).toThrow(/ttlSeconds/);
  });
});
