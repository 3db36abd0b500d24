// Genesys delivers the same snapshot more than once (two topics, redelivery after a reconnect) and a copy
// can arrive late. Whatever the duplication, the facts must not change.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FIXTURES } from '../../../test/fixtures/genesys/scenarios.js';
import { feed, readFixture } from './helpers.js';
import { runs } from '../../../test/helpers/property-runs.js';

const NAMES = Object.keys(FIXTURES);
const MAX_DELAY = 6;

/** Each line keeps its place; extra copies of it land 0..MAX_DELAY lines later. */
const duplication = (length: number) =>
  fc.array(fc.array(fc.integer({ min: 0, max: MAX_DELAY }), { maxLength: 3 }), { minLength: length, maxLength: length });

function withCopies(lines: readonly string[], copies: ReadonlyArray<readonly number[]>): string[] {
  const placed: Array<{ order: number; line: string }> = [];
  lines.forEach((line, i) => {
    placed.push({ order: i * 100, line });
    (copies[i] ?? []).forEach((delay, j) => placed.push({ order: (i + delay) * 100 + 50 + j, line }));
  });
  return placed.sort((a, b) => a.order - b.order).map((p) => p.line);
}

describe('GenesysFrameProcessor: duplicated delivery (property)', () => {
  for (const name of NAMES) {
    it(`${name}: random duplication never changes the facts or repeats a dedupe key`, () => {
      const lines = readFixture(name);
      const baseline = feed(lines).facts;
      const baselineKeys = new Set(baseline.map((f) => f.dedupeKey));
      expect(baselineKeys.size).toBe(baseline.length);
      fc.assert(
        fc.property(duplication(lines.length), (copies) => {
          const facts = feed(withCopies(lines, copies)).facts;
          const keys = facts.map((f) => f.dedupeKey);
          expect(new Set(keys).size).toBe(keys.length);
          expect(new Set(keys)).toEqual(baselineKeys);
          expect(facts).toEqual(baseline);
        }),
        { numRuns: runs(60) },
      );
    });
  }

  it('the generator really duplicates (sanity check of the harness)', () => {
    expect(withCopies(['a', 'b', 'c'], [[0, 2], [], [1]])).toEqual(['a', 'a', 'b', 'c', 'a', 'c']);
  });
});
