// The CLI's dispatcher. Thin: each command lives in its own file. Exit codes are in context.ts.
import { checkConfigCommand } from './check-config.js';
import { configReferenceCommand } from './config-reference.js';
import { conversationsCommand } from './conversations.js';
import { EXIT, println, type CliContext } from './context.js';
import { deadLettersCommand } from './dead-letters.js';
import { demoCommand } from './demo.js';
import { eraseCommand } from './erase.js';
import { replayCommand } from './replay.js';
import { runCommand } from './run.js';
import { summaryCommand } from './summary.js';

const HELP = `agentai-bridge: contact-centre platforms → Kore.ai Agent AI

usage: agentai-bridge <command> [args]

commands:
  run                         the daemon (adapters from BRIDGE_ADAPTERS, HTTP on BRIDGE_HTTP_PORT)
  demo [--conversations N] [--duration S] [--speed X] [--faults drop,closing,404,token,429,outage,mute]
                              the whole product against a simulated Genesys org and Agent AI, no accounts
  replay [--adapter genesys] [--data-dir DIR] FILE...
                              recorded notification frames (JSONL) through the whole pipeline
  check-config                validate the configuration; print it with secrets masked
  config-reference            every config key with its env var and default (markdown)
  dead-letters list [--json] | retry <id>|--all | drop <id>
                              hook calls delivery gave up on, with the reason of each
  conversations --open [--json]
                              conversations the store holds open, oldest first, with their age
  summary CONVERSATION_ID [--history] [--json] [--bot NAME] [--lang CODE]
                              Agent AI's summary (and paged history) of a conversation
  erase CONVERSATION_ID [--json]
                              remove every stored row of one conversation (data-subject requests)
  help                        this text

exit codes: 0 ok, 1 failure, 2 usage, 3 replay finished with dead letters, 4 erase found nothing stored, 78 configuration error`;

export async function main(argv: string[], ctx: CliContext): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'run':
      return runCommand(ctx);
    case 'demo':
      return demoCommand(args, ctx);
    case 'replay':
      return replayCommand(args, ctx);
    case 'check-config':
      return checkConfigCommand(ctx);
    case 'config-reference':
      return configReferenceCommand(ctx);
    case 'dead-letters':
      return deadLettersCommand(args, ctx);
    case 'summary':
      return summaryCommand(args, ctx);
    case 'conversations':
      return conversationsCommand(args, ctx);
    case 'erase':
      return eraseCommand(args, ctx);
    case 'help':
    case '--help':
    case '-h':
      println(ctx.stdout, HELP);
      return EXIT.ok;
    default:
      println(ctx.stderr, command ? `unknown command "${command}"\n\n${HELP}` : HELP);
      return EXIT.usage;
  }
}
