// Cases the fake cannot stage deterministically: a connection that dies before undici wrote the request
// (a stale keep-alive socket), DNS failures, happy-eyeballs AggregateErrors, odd Retry-After values.
import { describe, expect, it } from 'vitest';
import { outcomeForError, outcomeForStatus } from '../../src/agentai/outcome.js';
import { parseRetryAfter } from '../../src/agentai/retry-after.js';

const coded = (code: string, message = 'boom'): Error => Object.assign(new Error(message), { code });

describe('outcomeForError', () => {
  it.each(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH'])('%s → retry even if marked sent', (code) => {
    expect(outcomeForError(coded(code), true)).toMatchObject({ kind: 'retry', error: expect.stringContaining(code) });
  });

  it.each(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'])('%s → unknown', (code) => {
    expect(outcomeForError(coded(code), true).kind).toBe('unknown');
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

describe('outcomeForStatus', () => {
  const none = new Map<string, string>();
  it.each([200, 201, 204])('%i → ok', (s) => expect(outcomeForStatus(s, none, '', 0)).toEqual({ kind: 'ok', status: s }));
  it.each([301, 400, 404, 409, 413, 422])('%i → permanent', (s) => expect(outcomeForStatus(s, none, 'x', 0).kind).toBe('permanent'));
  it.each([408, 429, 500, 502, 503, 504])('%i → retry', (s) => expect(outcomeForStatus(s, none, '', 0).kind).toBe('retry'));
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('reads delta-seconds', () => expect(parseRetryAfter(' 120 ', now)).toBe(120_000));
  it('reads an HTTP-date', () => expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000));
  it('clamps a past date to 0', () => expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0));
  it('ignores garbage and absence', () => {
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
