#!/usr/bin/env node
// Regenerates the README's configuration table from the schema (`agentai-bridge config-reference`).
// test/docs/readme.test.ts fails when the two differ, so run this after changing src/config/schema.ts or an
// adapter's section (adapters/<name>/config.ts).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const START = '<!-- config-reference:start -->';
const END = '<!-- config-reference:end -->';
const table = execFileSync(process.execPath, ['dist/bin/agentai-bridge.js', 'config-reference'], { encoding: 'utf8' });
const readme = readFileSync('README.md', 'utf8');
const a = readme.indexOf(START);
const b = readme.indexOf(END);
if (a < 0 || b < a) throw new Error('README.md has no config-reference markers');
writeFileSync('README.md', `${readme.slice(0, a + START.length)}\n${table}${readme.slice(b)}`);
console.log('README.md configuration table updated');
