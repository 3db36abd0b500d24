// Exponential backoff, one formula for the whole bridge: delivery retries, the Conversation Details client,
// the Genesys adapter (reconnects, token renewal, catch-up) and the summary polls.

/** min(max, base * 2^(attempt-1)): how far the n-th wait may go. */
export function exponentialCeiling(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

/**
 * Full jitter (the AWS Architecture Blog formula): a uniformly random delay between zero and the ceiling. It
 * spreads a burst of failing conversations out, so a recovering host is not hit by all their retries at once.
 */
export function fullJitterDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  return Math.floor(random() * exponentialCeiling(attempt, baseMs, maxMs));
}

/** The ceiling ±`spread` (a fraction): for waits that must not come early by much, such as polls. */
export function proportionalJitterDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random, spread = 0.2): number {
  return Math.max(1, Math.round(exponentialCeiling(attempt, baseMs, maxMs) * (1 - spread + 2 * spread * random())));
}
