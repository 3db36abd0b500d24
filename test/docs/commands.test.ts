// The README's command table is the CLI's: the same commands, each with the usage line its flag table gives
// (the one `COMMAND --help` prints), so every flag it names exists and every flag that exists is named.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { synopsis } from '../../src/cli/args.js';
import { COMMANDS } from '../../src/cli/commands.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** `agentai-bridge …` of each row of the table under "## Commands", markdown escapes undone. */
function readmeCommands(): Map<string, string> {
  const start = readme.indexOf('\n## Commands\n');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const rows = new Map<string, string>();
  for (const m of section.matchAll(/^\| `agentai-bridge ([^`]+)` \|/gm)) {
    const usage = (m[1] ?? '').replace(/\\\|/g, '|');
    rows.set(usage.split(' ')[0] ?? '', usage);
  }
  return rows;
}

const flagsIn = (usage: string): string[] => [...usage.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1] ?? '').sort();

describe('README "Commands"', () => {
  const rows = readmeCommands();

  it('lists exactly the commands the CLI has', () => {
    expect(rows.size).toBeGreaterThan(0);
    expect([...rows.keys()].sort()).toEqual(COMMANDS.map((c) => c.spec.name).sort());
  });

  it.each(COMMANDS.map((c) => [c.spec.name, c.spec] as const))('%s: the flags its table declares, no more, no fewer', (name, spec) => {
    expect(flagsIn(rows.get(name) ?? '')).toEqual(Object.keys(spec.flags).sort());
    // A list flag's values (the demo's faults) are the ones the README shows.
    for (const [flag, f] of Object.entries(spec.flags)) {
      if (!f.choices || !f.list) continue;
      const shown = new RegExp(`--${flag} ([^\\]\\s]+)`).exec(rows.get(name) ?? '')?.[1];
      expect(shown?.split(','), `--${flag}`).toEqual([...f.choices]);
    }
  });

  it.each(COMMANDS.map((c) => [c.spec.name, c.spec] as const))('%s: the usage line `--help` prints', (name, spec) => {
    expect(rows.get(name)).toBe(synopsis(spec));
  });
});
