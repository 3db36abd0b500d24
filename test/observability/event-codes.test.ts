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

/** The argument text of every logger call in a source file (up to its closing parenthesis). */
function logCalls(text: string): string[] {
  const calls: string[] = [];
  for (const m of text.matchAll(/\b(?:logger|log)\??(?:\.(?:info|warn|error|debug|trace|fatal)|\[level\])\(/g)) {
    let depth = 1;
    let i = m.index + m[0].length;
    while (depth > 0 && i < text.length) {
      if (text[i] === '(') depth += 1;
      else if (text[i] === ')') depth -= 1;
      i += 1;
    }
    calls.push(text.slice(m.index, i));
  }
  return calls;
}

describe('event codes', () => {
  it('every logger call in src/ and adapters/ gives one', () => {
    const calls = sources('src').concat(sources('adapters')).flatMap((f) => logCalls(readFileSync(join(ROOT, f), 'utf8')).map((c) => `${f}: ${c}`));
    expect(calls.length).toBeGreaterThan(90);
    expect(calls.filter((c) => !/\bevent: '[a-z0-9_.]+'/.test(c))).toEqual([]);
  });

  it('each one in src/ and adapters/ is listed in README "Operating it"', () => {
    const codes = new Set(sources('src').concat(sources('adapters')).flatMap((f) => [...readFileSync(join(ROOT, f), 'utf8').matchAll(/\bevent: '([a-z0-9_.]+)'/g)].map((m) => m[1]!)));
    expect(codes.size).toBeGreaterThan(80);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect([...codes].filter((c) => !readme.includes(`\`${c}\``))).toEqual([]);
  });
});
