// The one backoff formula: how long the n-th wait may be, and how the two jitters spread it.
import { describe, expect, it } from 'vitest';
import { exponentialCeiling, fullJitterDelay, proportionalJitterDelay } from '../../src/util/backoff.js';

describe('backoff', () => {
  it('doubles from the base per attempt up to the max; attempt 0 or 1 is the base', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => exponentialCeiling(n, 500, 6_000))).toEqual([500, 500, 1_000, 2_000, 4_000, 6_000, 6_000]);
  });

  it('full jitter draws uniformly between zero and the ceiling, never reaching it', () => {
    expect(fullJitterDelay(3, 500, 60_000, () => 0)).toBe(0);
    expect(fullJitterDelay(3, 500, 60_000, () => 0.5)).toBe(1_000);
    expect(fullJitterDelay(3, 500, 60_000, () => 0.9999)).toBe(1_999);
  });

  it('proportional jitter stays within ±spread of the ceiling, and is at least 1 ms', () => {
    expect(proportionalJitterDelay(2, 5_000, 60_000, () => 0)).toBe(8_000);
    expect(proportionalJitterDelay(2, 5_000, 60_000, () => 0.5)).toBe(10_000);
    expect(proportionalJitterDelay(2, 5_000, 60_000, () => 1)).toBe(12_000);
    expect(proportionalJitterDelay(2, 5_000, 60_000, () => 1, 0.5)).toBe(15_000);
    expect(proportionalJitterDelay(1, 0, 0, () => 0)).toBe(1);
  });
});
