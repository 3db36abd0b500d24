// Small time helpers shared by the live adapter: abortable sleeps (so stop() never waits on a backoff),
// full-jitter backoff and a deadline race for lookups that must not block delivery.
import { fullJitterDelay } from '../../../src/util/backoff.js';
import { BridgeError } from '../../../src/errors.js';

export class Aborted extends BridgeError {
  constructor() {
    super('ABORTED', 'aborted');
    this.name = 'Aborted';
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new Aborted());
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Aborted());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The bridge's full-jitter backoff (src/util/backoff.ts), at least 10 ms so a reconnect loop never spins. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number): number {
  return Math.max(10, fullJitterDelay(attempt, baseMs, maxMs));
}

/** The promise's value, or `fallback` once `ms` have passed (the promise keeps running; its result is dropped). */
export function withDeadline<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(fallback), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      () => {
        clearTimeout(timer);
        resolve(fallback);
      },
    );
  });
}
