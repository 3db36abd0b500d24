// Every way a Genesys call fails becomes one error with a stable code: the adapter decides what to do (stop
// the daemon, retry, wait Retry-After) by that code, never by the wording of a message.
import { describe, expect, it } from 'vitest';
import { BridgeError } from '../../src/errors.js';
import { toRestError } from '../../adapters/genesys/live/rest-error.js';

const axiosError = (status: number, headers: Record<string, string> = {}) => Object.assign(new Error(`Request failed with status code ${status}`), { response: { status, headers, data: { message: 'no' } } });
const sdkRejection = (status: number, headers: Record<string, string> = {}) => ({ status, headers, body: { message: 'no' } });

describe('toRestError', () => {
  it.each([400, 401, 403])('the token call answered %i: the credentials are wrong (not retryable)', (status) => {
    const err = toRestError(axiosError(status), 'POST /oauth/token', 0, 'login');
    expect(err).toBeInstanceOf(BridgeError);
    expect(err).toMatchObject({ code: 'GENESYS_LOGIN_REJECTED', retryable: false, status, message: `POST /oauth/token: HTTP ${status}` });
  });

  it.each([
    [401, 'GENESYS_UNAUTHORIZED', true],
    [403, 'GENESYS_FORBIDDEN', false],
    [404, 'GENESYS_NOT_FOUND', false],
    [400, 'GENESYS_REQUEST_REJECTED', false],
    [408, 'GENESYS_UNAVAILABLE', true],
    [503, 'GENESYS_UNAVAILABLE', true],
  ] as const)('an API call answered %i: %s (retryable: %s)', (status, code, retryable) => {
    expect(toRestError(sdkRejection(status), 'GET queues', 0)).toMatchObject({ code, retryable, status });
  });

  it('a 429 is rate limited and carries its Retry-After', () => {
    expect(toRestError(sdkRejection(429, { 'retry-after': '3' }), 'GET users', 0)).toMatchObject({ code: 'GENESYS_RATE_LIMITED', retryable: true, retryAfterMs: 3_000 });
    expect(toRestError(axiosError(429, { 'retry-after': '2' }), 'POST /oauth/token', 0, 'login')).toMatchObject({ code: 'GENESYS_RATE_LIMITED', retryAfterMs: 2_000 });
  });

  it('no answer at all: unreachable, retryable, the cause kept in the message', () => {
    const err = toRestError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }), 'POST /oauth/token', 0, 'login');
    expect(err).toMatchObject({ code: 'GENESYS_UNREACHABLE', retryable: true, status: undefined, message: 'POST /oauth/token: connect ECONNREFUSED 127.0.0.1:9' });
  });
});
