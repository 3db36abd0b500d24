import { BridgeError } from '../errors.js';

export type StoreErrorCode = 'STORE_SCHEMA_TOO_NEW' | 'STORE_LOCKED' | 'STORE_UNREACHABLE' | 'STORE_CORRUPT_ROW' | 'STORE_SYNC_FAILED' | 'STORE_CLOSED' | 'STORE_DRIVER_MISSING';

/** A store that cannot be used as it is: the message says what to do. */
export class StoreError extends BridgeError {
  constructor(code: StoreErrorCode, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(code, message, options);
    this.name = 'StoreError';
  }
}
