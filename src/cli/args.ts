// One declared table per command (its flags and arguments): util.parseArgs (strict) reads the command line from
// it, `--help` and the top-level help print it, and test/docs/commands.test.ts holds the README's command table
// to it. A usage error is one line on stderr and exit 2; `--help` prints the usage on stdout and exits 0 before
// the command does anything at all.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EXIT, println, type CliContext } from './context.js';

export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  /** What the value is, in the usage (`DIR`, `N`); string flags only. */
  readonly value?: string;
  readonly doc: string;
  readonly default?: string;
  /** The values a string flag accepts; with `list`, a comma-separated subset of them. */
  readonly choices?: readonly string[];
  readonly list?: boolean;
  readonly required?: boolean;
}

export interface ArgSpec {
  readonly name: string;
  readonly optional?: boolean;
  /** One or more (the last argument only). */
  readonly variadic?: boolean;
}

export interface CommandSpec<F extends Readonly<Record<string, FlagSpec>> = Readonly<Record<string, FlagSpec>>> {
  readonly name: string;
  /** One line: what the command does (the top-level help). */
  readonly summary: string;
  readonly flags: F;
  readonly args?: readonly ArgSpec[];
  /** The usage line after the command's name, where flags and arguments alone cannot say it (sub-verbs). */
  readonly synopsis?: string;
  /** More lines for `--help`, after the flags. */
  readonly details?: string;
}

type FlagValue<S extends FlagSpec> = S extends { type: 'boolean' } ? boolean : S extends { default: string } ? string : string | undefined;

export interface ParsedArgs<F extends Readonly<Record<string, FlagSpec>>> {
  readonly values: { readonly [K in keyof F]: FlagValue<F[K]> };
  readonly positionals: readonly string[];
}

export type ParseResult<F extends Readonly<Record<string, FlagSpec>>> = ({ readonly kind: 'ok' } & ParsedArgs<F>) | { readonly kind: 'help' } | { readonly kind: 'error'; readonly message: string };

const HELP_FLAGS = new Set(['--help', '-h']);

function flagUsage(name: string, f: FlagSpec): string {
  // A list flag shows its values in the usage line (the README's demo row lists the faults); others their name.
  const value = f.list && f.choices ? f.choices.join(',') : (f.value ?? f.choices?.join('|') ?? 'VALUE');
  const text = f.type === 'boolean' ? `--${name}` : `--${name} ${value}`;
  return f.required ? text : `[${text}]`;
}

function argUsage(a: ArgSpec): string {
  const text = `${a.name}${a.variadic ? '...' : ''}`;
  return a.optional ? `[${text}]` : text;
}

/** The usage line after `agentai-bridge`: the command, its arguments, then its flags. */
export function synopsis(spec: CommandSpec): string {
  if (spec.synopsis !== undefined) return `${spec.name} ${spec.synopsis}`;
  return [spec.name, ...(spec.args ?? []).map(argUsage), ...Object.entries(spec.flags).map(([n, f]) => flagUsage(n, f))].join(' ');
}

/** What `agentai-bridge COMMAND --help` prints. */
export function commandHelp(spec: CommandSpec): string {
  const rows: [string, string][] = Object.entries(spec.flags).map(([n, f]) => [
    f.type === 'boolean' ? `--${n}` : `--${n} ${f.value ?? 'VALUE'}`,
    `${f.doc}${f.choices ? ` (${f.list ? 'any' : 'one'} of: ${f.choices.join(', ')})` : ''}${f.default !== undefined && f.default !== '' ? ` (default ${f.default})` : ''}`,
  ]);
  rows.push(['-h, --help', 'print this usage and exit']);
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return [
    `usage: agentai-bridge ${synopsis(spec)}`,
    '',
    spec.summary,
    '',
    ...rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`),
    ...(spec.details ? ['', spec.details] : []),
  ].join('\n');
}

/** parseArgs' messages carry advice for programmers; an operator gets the option and what is wrong with it. */
function explain(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  const option = /'(-[^' ]+)/.exec(message)?.[1];
  if (option && code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${option}`;
  if (option && code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return message.includes('does not take an argument') ? `${option} takes no value` : `${option} needs a value`;
  return message.split('\n')[0] ?? message;
}

export function parseCommandArgs<F extends Readonly<Record<string, FlagSpec>>>(spec: CommandSpec<F>, args: readonly string[]): ParseResult<F> {
  // Asking for help wins over whatever else is wrong with the line (but `--` ends the options).
  const end = args.indexOf('--');
  if ((end < 0 ? args : args.slice(0, end)).some((a) => HELP_FLAGS.has(a))) return { kind: 'help' };
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, f] of Object.entries(spec.flags)) options[name] = { type: f.type, ...(f.default !== undefined ? { default: f.default } : {}) };
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
  } catch (err) {
    return { kind: 'error', message: explain(err) };
  }
  const values: Record<string, string | boolean | undefined> = {};
  for (const [name, f] of Object.entries(spec.flags)) {
    const value = parsed.values[name];
    if (f.type === 'boolean') {
      values[name] = value === true;
      if (f.required && value !== true) return { kind: 'error', message: `--${name} is required` };
      continue;
    }
    if (typeof value !== 'string') {
      if (f.required) return { kind: 'error', message: `--${name} ${f.value ?? 'VALUE'} is required` };
      values[name] = undefined;
      continue;
    }
    if (f.choices) {
      const given = f.list ? value.split(',').map((v) => v.trim()).filter((v) => v !== '') : [value];
      const bad = given.find((v) => !f.choices?.includes(v));
      if (bad !== undefined) return { kind: 'error', message: `unknown --${name} value "${bad}" (known: ${f.choices.join(', ')})` };
    }
    values[name] = value;
  }
  const declared = spec.args ?? [];
  const required = declared.filter((a) => !a.optional);
  const missing = required[parsed.positionals.length];
  if (missing) return { kind: 'error', message: `${missing.name} is required` };
  if (!declared.at(-1)?.variadic && parsed.positionals.length > declared.length) {
    return { kind: 'error', message: `unexpected argument "${parsed.positionals[declared.length] ?? ''}"` };
  }
  // The loop above filled exactly the declared flags with values of their declared types.
  return { kind: 'ok', values: values as ParsedArgs<F>['values'], positionals: parsed.positionals };
}

/** One line naming the command and what is wrong, exit 2: the shape of every usage error. */
export function usageError(ctx: CliContext, command: string, message: string): number {
  println(ctx.stderr, `agentai-bridge ${command}: ${message} (agentai-bridge ${command} --help shows the usage)`);
  return EXIT.usage;
}

/** The parsed command line, or the exit code once `--help` or a usage error has been answered. */
export function argsOrExit<F extends Readonly<Record<string, FlagSpec>>>(spec: CommandSpec<F>, args: readonly string[], ctx: CliContext): ParsedArgs<F> | number {
  const result = parseCommandArgs(spec, args);
  if (result.kind === 'help') {
    println(ctx.stdout, commandHelp(spec));
    return EXIT.ok;
  }
  if (result.kind === 'error') return usageError(ctx, spec.name, result.message);
  return result;
}
