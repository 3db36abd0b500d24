// Shared pieces of the benchmark: the bot both sides use, child processes timed from the outside, and the
// statistics every figure is reported with (min / median / max over runs).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const BOT = { botId: 'st-bench', clientId: 'cs-bench', clientSecret: 'bench-secret-0123456789' };
export const CLI = fileURLToPath(new URL('../bin/agentai-bridge.js', import.meta.url));
export const benchFile = (name: string): string => fileURLToPath(new URL(`./${name}.js`, import.meta.url));
export const repoFile = (path: string): string => fileURLToPath(new URL(`../../${path}`, import.meta.url));

export const scratchDir = (prefix: string): string => mkdtempSync(join(tmpdir(), `bench-${prefix}-`));

/** The environment a bridge under test gets: the receiver's bot, default delivery settings, sync=full. */
export function bridgeEnv(agentaiUrl: string, dataDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    AGENTAI_URL: agentaiUrl,
    AGENTAI_BOT_ID: BOT.botId,
    AGENTAI_CLIENT_ID: BOT.clientId,
    AGENTAI_CLIENT_SECRET: BOT.clientSecret,
    BRIDGE_DATA_DIR: dataDir,
    BRIDGE_STORE_SYNC: 'full',
    LOG_LEVEL: 'info',
    ...extra,
    // BENCH_BRIDGE_ENV='{"KEY":"value"}': settings to try on the bridge under test (its reference is unchanged).
    ...(process.env.BENCH_BRIDGE_ENV ? (JSON.parse(process.env.BENCH_BRIDGE_ENV) as Record<string, string>) : {}),
  };
}

export interface ChildRun {
  readonly code: number | string;
  /** User + system CPU seconds of the child (GNU time), when available. */
  readonly cpuSeconds: number | undefined;
  /** Wall time from spawn to exit. */
  readonly ms: number;
  readonly stdout: string[];
  readonly stderr: string[];
  readonly startedAt: number;
}

const GNU_TIME = '/usr/bin/time';
const CPU_MARK = 'bench-cpu ';

export interface SpawnOptions {
  readonly env: NodeJS.ProcessEnv;
  /** Keep output lines (memory: a replay at LOG_LEVEL=debug writes two lines per hook call). */
  readonly keep?: (line: string) => boolean;
  readonly onLine?: (line: string) => void;
  readonly command?: string;
}

/** Runs a child to its end, timing it from the outside. */
export function runChild(args: readonly string[], options: SpawnOptions): Promise<ChildRun> {
  const startedAt = Date.now();
  const t0 = performance.now();
  // GNU time reports the child's CPU on a last line of its own: the CPU a hook call costs, whatever the load.
  const timed = existsSync(GNU_TIME);
  const command = options.command ?? process.execPath;
  const child = timed
    ? spawn(GNU_TIME, ['-f', `${CPU_MARK}%U %S`, command, ...args], { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(command, args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  const stderr: string[] = [];
  let cpuSeconds: number | undefined;
  const keep = options.keep ?? (() => true);
  createInterface({ input: child.stdout }).on('line', (l) => {
    options.onLine?.(l);
    if (keep(l)) stdout.push(l);
  });
  createInterface({ input: child.stderr }).on('line', (l) => {
    if (l.startsWith(CPU_MARK)) {
      const [user, system] = l.slice(CPU_MARK.length).split(' ').map(Number);
      cpuSeconds = (user ?? NaN) + (system ?? NaN);
      return;
    }
    options.onLine?.(l);
    if (keep(l)) stderr.push(l);
  });
  return new Promise((resolve) => {
    child.on('close', (code, signal) => resolve({ code: code ?? signal ?? -1, cpuSeconds, ms: performance.now() - t0, stdout, stderr, startedAt }));
  });
}

export interface Spread {
  readonly min: number;
  readonly median: number;
  readonly max: number;
  readonly runs: number;
}

export function spread(values: readonly number[]): Spread {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
  return { min: s[0] ?? NaN, median, max: s[s.length - 1] ?? NaN, runs: s.length };
}

/** The value at quantile q (0..1) of unsorted values, nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN;
}

export function fmt(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : String(n);
}

export function fmtSpread(s: Spread, digits = 0, unit = ''): string {
  return `${fmt(s.median, digits)}${unit} (min ${fmt(s.min, digits)}, max ${fmt(s.max, digits)}, ${s.runs} runs)`;
}

/** `node --cpu-prof` flags writing each bridge process's CPU profile into `dir` (`npm run bench -- --profile DIR`). */
export const profileFlags = (dir: string | undefined): string[] => (dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : []);

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await sleep(20);
  }
}

export interface Running {
  readonly child: ChildProcess;
  /** Lines kept (see `keep`), newest last. */
  readonly lines: string[];
  readonly exited: Promise<number | string>;
  /** Resolves with the first line matching, seen from now on or already kept. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<string>;
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

/** Starts a long-running child (a daemon, a reference loop); its output is read so it never blocks. */
export function startChild(args: readonly string[], options: SpawnOptions): Running {
  const child = spawn(options.command ?? process.execPath, args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const watchers: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const keep = options.keep ?? (() => true);
  const onLine = (line: string): void => {
    options.onLine?.(line);
    if (keep(line)) lines.push(line);
    for (const w of [...watchers]) {
      if (w.pattern.test(line)) {
        watchers.splice(watchers.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  createInterface({ input: child.stdout }).on('line', onLine);
  createInterface({ input: child.stderr }).on('line', onLine);
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return {
    child,
    lines,
    exited,
    waitFor(pattern, timeoutMs) {
      const seen = lines.find((l) => pattern.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`bench: no line matching ${pattern} within ${timeoutMs} ms:\n${lines.slice(-20).join('\n')}`)), timeoutMs);
        watchers.push({ pattern, resolve: (l) => (clearTimeout(timer), resolve(l)) });
        void exited.then((code) => reject(new Error(`bench: child exited (${code}) before a line matched ${pattern}:\n${lines.slice(-20).join('\n')}`)));
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
