// Retry-After (RFC 9110 10.2.3) is either delta-seconds or an HTTP-date. A value we cannot read is treated
// as absent so the caller's own backoff applies, rather than retrying at once.

export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  // A date in the past (or clock skew) means "now", never a negative wait.
  return Math.max(0, at - nowMs);
}
