// Maps what happened to one hooks POST onto what delivery should do next. The line that matters is between
// 'retry' (Agent AI cannot have the body, resending is safe) and 'unknown' (it may have it: resending an
// END_OF_CONVERSATION could make it a duplicate, which the seed says must never happen).
import { errorCode } from '../errors.js';
import { parseRetryAfter } from '../util/retry-after.js';

export type SendOutcome =
  | { kind: 'ok'; status: number }
  | { kind: 'retry'; status?: number; retryAfterMs?: number; error: string }
  | { kind: 'permanent'; status: number; error: string }
  | { kind: 'unknown'; error: string };

/** Outcome for a complete HTTP answer. 401/403 are the caller's business (re-mint once) before they land here. */
export function outcomeForStatus(status: number, headers: ReadonlyMap<string, string>, text: string, nowMs: number): SendOutcome {
  if (status >= 200 && status < 300) return { kind: 'ok', status };
  const error = `HTTP ${status}${text ? `: ${text}` : ''}`;
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(headers.get('retry-after'), nowMs);
    return retryAfterMs === undefined ? { kind: 'retry', status, error } : { kind: 'retry', status, retryAfterMs, error };
  }
  return { kind: 'permanent', status, error };
}

// Failures that happen while establishing the connection: not one byte of the request left this process.
const CONNECT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EADDRNOTAVAIL',
]);

// The request was written and we stopped waiting for the answer: Agent AI may well have processed it.
const AFTER_WRITE_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** Outcome for a transport failure. `sent` says whether the request had been written to the socket. */
export function outcomeForError(error: Error, sent: boolean): SendOutcome {
  const code = errorCode(error);
  const text = code ? `${code}: ${error.message}` : error.message;
  if (code && CONNECT_CODES.has(code)) return { kind: 'retry', error: text };
  if (code && AFTER_WRITE_CODES.has(code)) return { kind: 'unknown', error: text };
  // Resets, "other side closed", EPIPE, TLS trouble...: only the write position tells them apart.
  return sent ? { kind: 'unknown', error: text } : { kind: 'retry', error: text };
}
