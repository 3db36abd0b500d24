// Timers behind an interface, so what waits on time (retries, probes, drains) can be driven by a test clock
// instead of the wall clock.
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => {
    if (handle !== undefined) clearTimeout(handle as NodeJS.Timeout);
  },
};

/** A clock with its timers: what a simulator (or a test) needs to run on time it does not own. */
export interface Clock extends Timers {
  now(): number;
}

export const realClock: Clock = { now: () => Date.now(), ...realTimers };

/** Lets a real timer not keep the process alive (a no-op for a test clock's handles). */
export function unrefTimer(handle: unknown): void {
  if (typeof handle === 'object' && handle !== null && 'unref' in handle && typeof handle.unref === 'function') handle.unref();
}
