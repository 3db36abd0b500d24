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
