#!/usr/bin/env node
// Composition root: the CLI plus every adapter. Kept outside src/ so the core never imports an adapter.
import { adapterModules } from '../adapters/index.js';
import { main } from '../src/cli/main.js';

const code = await main(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr, modules: adapterModules });
process.exitCode = code;
if (process.argv[2] === 'run') process.exit(code);
