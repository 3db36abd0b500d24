// The README must tell the truth: its config table is the schema's, its commands exist, .ci/run runs its test command.
import { adapterModules } from '../../adapters/index.js';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { configReferenceCommand } from '../../src/cli/config-reference.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

function capture(): { stream: Writable; text: () => string } {
  let out = '';
  return { stream: new Writable({ write: (c, _e, done) => { out += String(c); done(); } }), text: () => out };
}

describe('README', () => {
  it('has the configuration table generated from the schema (run `npm run docs` after changing it)', () => {
    const out = capture();
    configReferenceCommand({ env: {}, stdout: out.stream, stderr: out.stream, modules: adapterModules });
    const block = readme.slice(readme.indexOf('<!-- config-reference:start -->') + '<!-- config-reference:start -->'.length, readme.indexOf('<!-- config-reference:end -->'));
    expect(block.trim()).toBe(out.text().trim());
  });

  it('names the test command that .ci/run runs', () => {
    const ci = readFileSync(new URL('../../.ci/run', import.meta.url), 'utf8');
    expect(ci).toMatch(/^[^#\n]*\bnpm ci\b/m);
    expect(ci).toMatch(/^[^#\n]*\bnpm test\b/m);
    expect(readme).toContain('npm test');
  });

  it('states the Node versions that package.json accepts and .ci/run tests', () => {
    const ci = readFileSync(new URL('../../.ci/run', import.meta.url), 'utf8');
    const pkg: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    const engines = typeof pkg === 'object' && pkg !== null && 'engines' in pkg ? JSON.stringify(pkg.engines) : '';
    const tested = [...(/^NODE_VERSIONS=\(([^)]*)\)/m.exec(ci)?.[1] ?? '').matchAll(/\b(\d+)\.\d+\.\d+\b/g)].map((m) => m[1]);
    const accepted = [...engines.matchAll(/\^(\d+)\./g)].map((m) => m[1]);
    expect(tested).toEqual(['20', '22', '24']);
    expect(accepted).toEqual(tested);
    for (const major of tested) expect(readme).toMatch(new RegExp(`Node[^.]*\\b${major}\\b`));
  });
});
