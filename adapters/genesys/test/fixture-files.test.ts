// The .jsonl fixtures are generated from test/fixtures/genesys/scenarios.ts; this keeps the two in step.
// Regenerate with: GENESYS_WRITE_FIXTURES=1 npx vitest run adapters/genesys/test/fixture-files.test.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FIXTURES } from '../../../test/fixtures/genesys/scenarios.js';
import { fixturePath } from './helpers.js';

describe('Genesys fixture files', () => {
  for (const [name, build] of Object.entries(FIXTURES)) {
    it(`${name}.jsonl is what its scenario generates`, () => {
      const expected = `${build().join('\n')}\n`;
      if (process.env.GENESYS_WRITE_FIXTURES === '1') writeFileSync(fixturePath(name), expected);
      expect(readFileSync(fixturePath(name), 'utf8')).toBe(expected);
    });
  }

  it('every line is one JSON object', () => {
    for (const name of Object.keys(FIXTURES)) {
      for (const line of readFileSync(fixturePath(name), 'utf8').trimEnd().split('\n')) {
        const parsed: unknown = JSON.parse(line);
        expect(typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)).toBe(true);
      }
    }
  });
});
