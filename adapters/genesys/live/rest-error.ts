// One shape for every way a Genesys call fails. The SDK rejects API calls with `{status, headers, body}`
// (extended responses on) and the token call with an axios error (`error.response.status`); network
// failures have no status at all. Retry-After is read from either.
import { parseRetryAfter } from '../../../src/util/retry-after.js';
import { BridgeError } from '../../../src/errors.js';
import { asRecord } from './records.js';

export type GenesysErrorCode =
  | 'GENESYS_LOGIN_REJECTED'
  | 'GENESYS_UNAUTHORIZED'
  | 'GENESYS_FORBIDDEN'
  | 'GENESYS_NOT_FOUND'
  | 'GENESYS_RATE_LIMITED'
  | 'GENESYS_UNAVAILABLE'
  | 'GENESYS_UNREACHABLE'
  | 'GENESYS_REQUEST_REJECTED'
  | 'GENESYS_BAD_ANSWER';

/** What a failed call means, from its status; the token call's refusals mean the credentials are wrong. */
export function genesysErrorCode(status: number | undefined, call: 'login' | 'api' = 'api'): GenesysErrorCode {
  if (status === undefined) return 'GENESYS_UNREACHABLE';
  if (call === 'login' && (status === 400 || status === 401 || status === 403)) return 'GENESYS_LOGIN_REJECTED';
  if (status === 401) return 'GENESYS_UNAUTHORIZED';
  if (status === 403) return 'GENESYS_FORBIDDEN';
  if (status === 404) return 'GENESYS_NOT_FOUND';
  if (status === 429) return 'GENESYS_RATE_LIMITED';
  if (status === 408 || status >= 500) return 'GENESYS_UNAVAILABLE';
  return 'GENESYS_REQUEST_REJECTED';
}

const RETRYABLE: ReadonlySet<GenesysErrorCode> = new Set(['GENESYS_UNAUTHORIZED', 'GENESYS_RATE_LIMITED', 'GENESYS_UNAVAILABLE', 'GENESYS_UNREACHABLE', 'GENESYS_BAD_ANSWER']);

export class GenesysRestError extends BridgeError {
  declare readonly code: GenesysErrorCode;

  constructor(
    code: GenesysErrorCode,
    message: string,
    readonly status: number | undefined,
    readonly retryAfterMs: number | undefined,
    readonly body: unknown,
  ) {
    super(code, message, { retryable: RETRYABLE.has(code) });
    this.name = 'GenesysRestError';
  }
}

function header(headers: unknown, name: string): string | undefined {
  const h = asRecord(headers);
  if (!h) return undefined;
  // axios headers are an AxiosHeaders object with lower-case keys and a get() method.
  const getter = h.get;
  if (typeof getter === 'function') {
    const v: unknown = getter.call(h, name);
    if (typeof v === 'string') return v;
  }
  const direct = h[name] ?? h[name.toLowerCase()];
  return typeof direct === 'string' ? direct : Array.isArray(direct) && typeof direct[0] === 'string' ? direct[0] : undefined;
}

export function toRestError(err: unknown, what: string, now: number = Date.now(), call: 'login' | 'api' = 'api'): GenesysRestError {
  if (err instanceof GenesysRestError) return err;
  const e = asRecord(err);
  const response = asRecord(e?.response);
  const statusValue = e?.status ?? response?.status;
  const status = typeof statusValue === 'number' ? statusValue : undefined;
  const headers = e?.headers ?? response?.headers;
  const body = e?.body ?? response?.data;
  const retryAfterMs = parseRetryAfter(header(headers, 'retry-after'), now);
  const detail = status !== undefined ? `HTTP ${status}` : err instanceof Error ? err.message : typeof e?.message === 'string' ? e.message : String(err);
  return new GenesysRestError(genesysErrorCode(status, call), `${what}: ${detail}`, status, retryAfterMs, body);
}

/** The body of an extended response (`{status, body}`), or the value itself when extended responses are off. */
export function responseBody(value: unknown): unknown {
  const r = asRecord(value);
  if (r && typeof r.status === 'number' && 'body' in r) return r.body;
  return value;
}

export function responseStatus(value: unknown): number | undefined {
  const r = asRecord(value);
  return r && typeof r.status === 'number' ? r.status : undefined;
}
