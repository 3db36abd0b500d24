// Every command, run as the built binary: `--help` prints its usage on stdout, exits 0 and does nothing else
// (with a configuration under which `run` would start: no data dir, no temporary store, no daemon); a usage
// error is one line on stderr and exit 2; replay of a file that is not there is one line and exit 66.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeSecret } from '../../adapters/ada/test/harness.js';
import { synopsis } from '../../src/cli/args.js';
import { COMMANDS } from '../../src/cli/commands.js';
import { adapterModules } from '../../adapters/index.js';
import { main } from '../../src/cli/main.js';
import { CLI } from '../helpers/daemon-process.js';
import { bridgeEnv, LineCollector } from '../helpers/harness.js';

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  /** What the run left behind: the configured data dir, anything in its TMPDIR. */
  traces: string[];
}

function cli(args: string[]): Ran {
  const root = mkdtempSync(join(tmpdir(), 'cli-help-'));
  const dataDir = join(root, 'data');
  const tmp = join(root, 'tmp');
  mkdirSync(tmp);
  const env = {
    PATH: process.env.PATH,
    TMPDIR: tmp,
    ...bridgeEnv('http://127.0.0.1:9', dataDir, { BRIDGE_ADAPTERS: 'ada', ADA_WEBHOOK_SECRETS: makeSecret(), BRIDGE_HTTP_PORT: '0', LOG_LEVEL: 'info' }),
  };
  // A command that did start (a daemon) is killed at the timeout: code null.
  const r = spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8', timeout: 40_000, killSignal: 'SIGKILL' });
  const traces = [...(existsSync(dataDir) ? [dataDir] : []), ...readdirSync(tmp).map((f) => join(tmp, f))];
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, traces };
}

describe('agentai-bridge COMMAND --help', () => {
  it.each(COMMANDS.map((c) => [c.spec.name, c.spec] as const))('%s --help: its usage on stdout, exit 0, nothing else', (name, spec) => {
    const r = cli([name, '--help']);
    expect(r.stderr).toBe('');
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(`usage: agentai-bridge ${synopsis(spec)}`);
    for (const flag of Object.keys(spec.flags)) expect(r.stdout).toContain(`--${flag}`);
    expect(r.stdout).not.toContain('agentai-bridge running');
    expect(r.traces).toEqual([]);
  }, 60_000);

  it('--help lists every command with its usage', () => {
    const all = cli(['--help']);
    expect(all.code).toBe(0);
    expect(all.stderr).toBe('');
    for (const { spec } of COMMANDS) expect(all.stdout).toContain(`  ${synopsis(spec)}\n`);
  }, 60_000);

  it('help COMMAND and -h say what --help says', async () => {
    const say = async (args: string[]): Promise<string> => {
      const out = new LineCollector();
      expect(await main(args, { env: {}, stdout: out, stderr: out, modules: adapterModules })).toBe(0);
      return out.lines.join('\n');
    };
    const long = await say(['replay', '--help']);
    expect(long).toMatch(/^usage: agentai-bridge replay FILE\.\.\. /);
    expect(await say(['help', 'replay'])).toBe(long);
    expect(await say(['replay', 'missing.jsonl', '-h'])).toBe(long);
  });
});

describe('usage errors: one line on stderr, exit 2, nothing done', () => {
  it('from the binary: no stack trace', () => {
    for (const [args, line] of [
      [['replay', '--no-such-flag', 'x.jsonl'], /^agentai-bridge replay: unknown option --no-such-flag \(agentai-bridge replay --help shows the usage\)$/],
      [['frobnicate'], /^agentai-bridge: unknown command "frobnicate" \(commands: run, demo, replay,/],
    ] as const) {
      const r = cli([...args]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
      expect(r.stderr.trimEnd()).toMatch(line);
      expect(r.traces).toEqual([]);
    }
  }, 90_000);

  // The same dispatcher in-process: every command's flag table is strict.
  const inProcess = async (args: string[]): Promise<{ code: number; out: string[]; err: string[]; dataDir: string }> => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'cli-usage-')), 'data');
    const out = new LineCollector();
    const err = new LineCollector();
    const env = bridgeEnv('http://127.0.0.1:9', dataDir, { BRIDGE_ADAPTERS: 'ada', ADA_WEBHOOK_SECRETS: makeSecret(), BRIDGE_HTTP_PORT: '0' });
    const code = await main(args, { env, stdout: out, stderr: err, modules: adapterModules });
    return { code, out: out.lines, err: err.lines, dataDir };
  };
  const expectUsageError = async (args: string[], line: RegExp): Promise<void> => {
    const r = await inProcess(args);
    expect(r.code, r.err.join('\n')).toBe(2);
    expect(r.out).toEqual([]);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(line);
    expect(existsSync(r.dataDir)).toBe(false);
  };

  it.each(COMMANDS.map((c) => c.spec.name))('%s --no-such-flag', async (name) => {
    await expectUsageError([name, '--no-such-flag'], new RegExp(`^agentai-bridge ${name}: unknown option --no-such-flag \\(agentai-bridge ${name} --help shows the usage\\)$`));
  });

  it('a missing argument, a flag without its value or with one it does not take, an extra argument, no command', async () => {
    await expectUsageError(['replay'], /^agentai-bridge replay: FILE is required/);
    await expectUsageError(['summary'], /^agentai-bridge summary: CONVERSATION_ID is required/);
    await expectUsageError(['replay', '--adapter'], /^agentai-bridge replay: --adapter needs a value/);
    await expectUsageError(['summary', 'c', '--bot', '--json'], /^agentai-bridge summary: --bot needs a value/);
    await expectUsageError(['conversations', '--open=yes'], /^agentai-bridge conversations: --open takes no value/);
    await expectUsageError(['demo', '--faults', 'drop,meteor'], /^agentai-bridge demo: unknown --faults value "meteor" \(known: drop, closing,/);
    await expectUsageError(['demo', '--log-level', 'loud'], /^agentai-bridge demo: unknown --log-level value "loud" \(known: fatal,/);
    await expectUsageError(['run', 'now'], /^agentai-bridge run: unexpected argument "now"/);
    await expectUsageError(['check-config', '--verbose'], /^agentai-bridge check-config: unknown option --verbose/);
    await expectUsageError(['dead-letters', 'retry', '3', '--all'], /^agentai-bridge dead-letters: retry takes an ID or --all, not both/);
    await expectUsageError(['dead-letters', 'purge'], /^agentai-bridge dead-letters: unknown verb "purge"/);
    await expectUsageError(['dead-letters'], /^agentai-bridge dead-letters: list\|retry\|drop is required/);
    await expectUsageError(['help', 'frobnicate'], /^agentai-bridge help: no command "frobnicate"/);
    await expectUsageError([], /^agentai-bridge: a command is needed/);
  });
});

describe('replay of a file it cannot read', () => {
  it('is one line naming the file and why, exit 66, no stack trace, no store', () => {
    const missing = join(tmpdir(), 'cli-help-no-such-recording.jsonl');
    const r = cli(['replay', missing]);
    expect(r.code).toBe(66);
    expect(r.stderr).toBe(`agentai-bridge replay: cannot read ${missing}: ENOENT: no such file or directory\n`);
    expect(r.traces).toEqual([]);
    const dir = cli(['replay', tmpdir()]);
    expect(dir.code).toBe(66);
    expect(dir.stderr).toBe(`agentai-bridge replay: cannot read ${tmpdir()}: EISDIR: is a directory\n`);
  }, 90_000);
});
