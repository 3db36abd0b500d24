// One shape for every way a Genesys call fails. The SDK rejects API calls with `{status, headers, body}`
// (extended responses on) and the token call with an axios error (`error.response.status`); network
// failures have no status at all. Retry-After is read from either.
import { parseRetryAfter } from '../../../src/agentai/retry-after.js';
import { asRecord } from './records.js';

export class GenesysRestError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly retryAfterMs: number | undefined,
    readonly body: unknown,
  ) {
    super(message);
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

export function toRestError(err: unknown, what: string, now: number = Date.now()): GenesysRestError {
  if (err instanceof GenesysRestError) return err;
  const e = asRecord(err);
  const response = asRecord(e?.response);
  const statusValue = e?.status ?? response?.status;
  const status = typeof statusValue === 'number' ? statusValue : undefined;
  const headers = e?.headers ?? response?.headers;
  const body = e?.body ?? response?.data;
  const retryAfterMs = parseRetryAfter(header(headers, 'retry-after'), now);
  const detail = status !== undefined ? `HTTP ${status}` : err instanceof Error ? err.message : typeof e?.message === 'string' ? e.message : String(err);
  return new GenesysRestError(`${what}: ${detail}`, status, retryAfterMs, body);
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
