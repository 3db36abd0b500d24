// Every command the CLI has, each with its declared flag table (src/cli/args.ts). The dispatcher, the
// top-level help and the README test (test/docs/commands.test.ts) all read this list: a new command is one
// entry here (its spec and its function), nothing else.
import { checkConfigCommand } from './check-config.js';
import { configReferenceCommand } from './config-reference.js';
import { conversationsCommand, conversationsSpec } from './conversations.js';
import type { CliContext } from './context.js';
import { deadLettersCommand, deadLettersSpec } from './dead-letters.js';
import { demoCommand, demoSpec } from './demo.js';
import { eraseCommand, eraseSpec } from './erase.js';
import { replayCommand, replaySpec } from './replay.js';
import { runCommand } from './run.js';
import { summaryCommand, summarySpec } from './summary.js';
import type { CommandSpec } from './args.js';

export interface CliCommand {
  readonly spec: CommandSpec;
  /** Called with the command's arguments once they are known to parse (never for `--help`). */
  readonly run: (args: string[], ctx: CliContext) => Promise<number> | number;
}

// The commands that take no arguments keep their tables here, so their files stay about what they do.
const runSpec: CommandSpec = {
  name: 'run',
  summary: 'the daemon: adapters from BRIDGE_ADAPTERS, HTTP server on BRIDGE_HTTP_PORT; configured by environment (README "Configuration")',
  flags: {},
};
const checkConfigSpec: CommandSpec = {
  name: 'check-config',
  summary: 'validate the configuration and print it with secrets masked (under BRIDGE_STORE=postgres: reach the database too)',
  flags: {},
};
const configReferenceSpec: CommandSpec = {
  name: 'config-reference',
  summary: 'every config key with its env var and default (markdown: the README table)',
  flags: {},
};

export const COMMANDS: readonly CliCommand[] = [
  { spec: runSpec, run: (_args, ctx) => runCommand(ctx) },
  { spec: demoSpec, run: demoCommand },
  { spec: replaySpec, run: replayCommand },
  { spec: checkConfigSpec, run: (_args, ctx) => checkConfigCommand(ctx) },
  { spec: configReferenceSpec, run: (_args, ctx) => configReferenceCommand(ctx) },
  { spec: deadLettersSpec, run: deadLettersCommand },
  { spec: conversationsSpec, run: conversationsCommand },
  { spec: summarySpec, run: summaryCommand },
  { spec: eraseSpec, run: eraseCommand },
];
