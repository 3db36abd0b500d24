// What every CLI command gets: its environment and output streams (so tests can run commands in-process),
// and the adapter modules the composition root registered.
import type { Writable } from 'node:stream';
import type { AdapterModule } from '../runtime/adapter-module.js';

export interface CliContext {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly modules: readonly AdapterModule[];
}

/** Exit codes: documented in the README; the conformance suite relies on them. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  deadLetters: 3,
  /** EX_NOINPUT (sysexits.h): an input file named on the command line is missing or unreadable. */
  noInput: 66,
  config: 78,
} as const;

export function println(stream: Writable, text = ''): void {
  stream.write(`${text}\n`);
}
