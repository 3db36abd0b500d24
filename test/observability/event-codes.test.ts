// Every event code a log line can carry is listed in the README, where an operator looks for what to match.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'test' || e.name === 'sim' ? [] : sources(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

describe('event codes', () => {
  it('each one in src/ and adapters/ is listed in README "Operating it"', () => {
    const codes = new Set(sources('src').concat(sources('adapters')).flatMap((f) => [...readFileSync(join(ROOT, f), 'utf8').matchAll(/\bevent: '([a-z0-9_.]+)'/g)].map((m) => m[1]!)));
    expect(codes.size).toBeGreaterThan(80);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect([...codes].filter((c) => !readme.includes(`\`${c}\``))).toEqual([]);
  });
});
