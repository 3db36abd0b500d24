// Exponential backoff with full jitter (the AWS Architecture Blog formula): a uniformly random delay between
// zero and min(max, base * 2^(attempt-1)). Full jitter spreads a burst of failing conversations out, so a
// recovering Agent AI is not hit by all their retries at once. The retry schedule itself lives in the store.
export function fullJitterDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}
