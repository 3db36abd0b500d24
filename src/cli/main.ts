// The CLI's dispatcher. Thin: each command lives in its own file, listed with its flag table in commands.ts.
// `--help` and usage errors are answered here, from that table, before a command runs. Exit codes: context.ts.
import { argsOrExit, commandHelp, synopsis } from './args.js';
import { COMMANDS } from './commands.js';
import { EXIT, println, type CliContext } from './context.js';

function help(): string {
  const lines = COMMANDS.flatMap(({ spec }) => [`  ${synopsis(spec)}`, `      ${spec.summary}`]);
  return [
    'agentai-bridge: contact-centre platforms → Kore.ai Agent AI',
    '',
    'usage: agentai-bridge COMMAND [ARGS]   (agentai-bridge COMMAND --help: its usage)',
    '',
    'commands:',
    ...lines,
    '  help [COMMAND]',
    '      this text, or the usage of COMMAND',
    '',
    'exit codes: 0 ok, 1 failure, 2 usage error, 3 replay finished with dead letters, 4 erase found nothing stored, 66 replay input file missing or unreadable, 78 configuration error',
  ].join('\n');
}

export async function main(argv: string[], ctx: CliContext): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    println(ctx.stderr, 'agentai-bridge: a command is needed (agentai-bridge --help lists them)');
    return EXIT.usage;
  }
  if (name === 'help' || name === '--help' || name === '-h') {
    const [topic, ...extra] = args;
    const about = COMMANDS.find((c) => c.spec.name === topic);
    if (topic !== undefined && (!about || extra.length > 0)) {
      println(ctx.stderr, `agentai-bridge help: no command "${[topic, ...extra].join(' ')}" (agentai-bridge --help lists them)`);
      return EXIT.usage;
    }
    println(ctx.stdout, about ? commandHelp(about.spec) : help());
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.spec.name === name);
  if (!command) {
    println(ctx.stderr, `agentai-bridge: unknown command "${name}" (commands: ${COMMANDS.map((c) => c.spec.name).join(', ')}, help)`);
    return EXIT.usage;
  }
  const parsed = argsOrExit(command.spec, args, ctx);
  if (typeof parsed === 'number') return parsed;
  return command.run(args, ctx);
}
