// One base error for the bridge, as undici does (lib/core/errors.js): a stable `code` that logs, /status and
// tests match on, and whether trying again may help. Messages are for people and may change; codes may not.
export class BridgeError extends Error {
  readonly code: string;
  readonly retryable: boolean;

  constructor(code: string, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BridgeError';
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/**
 * The code of any failure: a BridgeError's own, or a system one (ECONNRESET, SQLITE_BUSY, UND_ERR_...) on the
 * error, inside an AggregateError (happy-eyeballs connects) or down its cause chain.
 */
export function errorCode(error: unknown): string | undefined {
  const own = codeOf(error);
  if (own) return own;
  if (error instanceof AggregateError) {
    for (const inner of error.errors) {
      const c = codeOf(inner);
      if (c) return c;
    }
  }
  return error instanceof Error ? codeOf(error.cause) : undefined;
}

/** The fields a log line about a failure carries: the error itself (pino serialises it) and its code. */
export function errorFields(error: unknown): { err: unknown; code?: string } {
  const code = errorCode(error);
  return code === undefined ? { err: error } : { err: error, code };
}

function codeOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || !('code' in value)) return undefined;
  return typeof value.code === 'string' ? value.code : undefined;
}
