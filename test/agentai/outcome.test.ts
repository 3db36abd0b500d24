// Cases the fake cannot stage deterministically: a connection that dies before undici wrote the request
// (a stale keep-alive socket), DNS failures, happy-eyeballs AggregateErrors, odd Retry-After values.
import { describe, expect, it } from 'vitest';
import { outcomeForError, outcomeForStatus } from '../../src/agentai/outcome.js';
import { errorCode } from '../../src/errors.js';
import { parseRetryAfter } from '../../src/util/retry-after.js';

const coded = (code: string, message = 'boom'): Error => Object.assign(new Error(message), { code });

describe('outcomeForError', () => {
  it.each(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL'])(
    '%s (connect failed: nothing was sent) → retry even if marked sent',
    (code) => {
      expect(outcomeForError(coded(code), true)).toEqual({ kind: 'retry', error: `${code}: boom` });
    },
  );

  it.each(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'])('%s (we stopped waiting for the answer) → unknown, whatever the write position says', (code) => {
    expect(outcomeForError(coded(code), true)).toEqual({ kind: 'unknown', error: `${code}: boom` });
    expect(outcomeForError(coded(code), false)).toEqual({ kind: 'unknown', error: `${code}: boom` });
  });

  it('an error without a code is told apart by the write position, its message kept as is', () => {
    expect(outcomeForError(new Error('other side closed'), false)).toEqual({ kind: 'retry', error: 'other side closed' });
    expect(outcomeForError(new Error('other side closed'), true)).toEqual({ kind: 'unknown', error: 'other side closed' });
  });

  it.each(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE'])('%s → retry before the request was written, unknown after', (code) => {
    expect(outcomeForError(coded(code), false).kind).toBe('retry');
    expect(outcomeForError(coded(code), true).kind).toBe('unknown');
  });

  it('reads the code inside an AggregateError (happy-eyeballs connect)', () => {
    const agg = new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')], 'connect failed');
    expect(outcomeForError(agg, false)).toMatchObject({ kind: 'retry', error: expect.stringContaining('ECONNREFUSED') });
  });
});

describe('errorCode', () => {
  it('takes the first inner error that has a code', () => {
    expect(errorCode(new AggregateError([new Error('a'), coded('ENETUNREACH')], 'connect failed'))).toBe('ENETUNREACH');
  });
  it('looks at the cause when the error itself has none', () => {
    expect(errorCode(new Error('fetch failed', { cause: coded('ECONNRESET') }))).toBe('ECONNRESET');
  });
  it('ignores codes that are not strings and causes that are not objects', () => {
    expect(errorCode(Object.assign(new Error('x'), { code: 42 }))).toBeUndefined();
    expect(errorCode(new Error('x', { cause: null }))).toBeUndefined();
    expect(errorCode(new Error('x', { cause: 'ECONNRESET' }))).toBeUndefined();
    expect(errorCode(new Error('x', { cause: { message: 'no code' } }))).toBeUndefined();
    expect(errorCode(new AggregateError([new Error('a')], 'no codes'))).toBeUndefined();
  });
});

describe('outcomeForStatus', () => {
  const none = new Map<string, string>();
  it('2xx only is ok; the rest says the status and the body', () => {
    expect(outcomeForStatus(299, none, '', 0)).toEqual({ kind: 'ok', status: 299 });
    expect(outcomeForStatus(300, none, '', 0)).toEqual({ kind: 'permanent', status: 300, error: 'HTTP 300' });
    expect(outcomeForStatus(199, none, '', 0)).toEqual({ kind: 'permanent', status: 199, error: 'HTTP 199' });
    expect(outcomeForStatus(400, none, '{"code":400}', 0)).toEqual({ kind: 'permanent', status: 400, error: 'HTTP 400: {"code":400}' });
    expect(outcomeForStatus(503, none, '', 0)).toEqual({ kind: 'retry', status: 503, error: 'HTTP 503' });
  });
  it('a retryable answer carries its Retry-After; without one the backoff decides', () => {
    expect(outcomeForStatus(429, new Map([['retry-after', '2']]), 'slow down', 0)).toEqual({ kind: 'retry', status: 429, retryAfterMs: 2_000, error: 'HTTP 429: slow down' });
    expect(outcomeForStatus(429, new Map([['retry-after', 'soon']]), '', 0)).toStrictEqual({ kind: 'retry', status: 429, error: 'HTTP 429' });
  });
  it.each([200, 201, 204])('%i → ok', (s) => expect(outcomeForStatus(s, none, '', 0)).toEqual({ kind: 'ok', status: s }));
  it.each([301, 400, 404, 409, 413, 422])('%i → permanent', (s) => expect(outcomeForStatus(s, none, 'x', 0).kind).toBe('permanent'));
  it.each([408, 429, 500, 502, 503, 504])('%i → retry', (s) => expect(outcomeForStatus(s, none, '', 0).kind).toBe('retry'));
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('reads delta-seconds', () => expect(parseRetryAfter(' 120 ', now)).toBe(120_000));
  it('reads fractional seconds', () => {
    expect(parseRetryAfter('1.5', now)).toBe(1_500);
    expect(parseRetryAfter('1.25', now)).toBe(1_250);
  });
  it('refuses a number with anything around it', () => {
    expect(parseRetryAfter('12x', now)).toBeUndefined();
    expect(parseRetryAfter('x12', now)).toBeUndefined();
  });
  it('reads an HTTP-date', () => expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000));
  it('clamps a past date to 0', () => expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0));
  it('ignores garbage and absence', () => {
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
