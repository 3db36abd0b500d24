// `agentai-bridge replay FILE...`: recorded frames (JSONL, one frame a line, exactly as the socket delivered
// them) through the same pipeline as the daemon: store, sequencer, delivery, Agent AI client. Time comes
// from the frames, so settle and redial windows resolve without waiting; at the end every window is closed.
import { accessSync, constants, createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { IngestOutcome } from '../core/adapter.js';
import type { BridgeMetrics } from '../observability/metrics.js';
import { Bridge } from '../runtime/bridge.js';
import { openStore, sqlitePath } from '../store/open.js';
import { feedFrame, finishReplay, FrameClock, MalformedLineError } from '../runtime/frame-replay.js';
import { argsOrExit, usageError, type CommandSpec } from './args.js';
import { EXIT, println, type CliContext } from './context.js';
import { loadOrExplain, loggerFor } from './setup.js';

export interface ReplaySummary {
  lines: number;
  frames: number;
  malformed: { file: string; line: number; error: string }[];
  facts: Record<IngestOutcome, number>;
  conversations: Set<string>;
  delivered: number;
  retried: number;
  deadLettered: number;
}

export interface ReplayOptions {
  /** Where the replay's counters go (tests read them; the CLI prints a summary instead). */
  readonly metrics?: BridgeMetrics;
}

export const replaySpec = {
  name: 'replay',
  summary: 'recorded notification frames (JSONL) through the whole pipeline, posting to the configured Agent AI',
  args: [{ name: 'FILE', variadic: true }],
  flags: {
    adapter: { type: 'string', value: 'NAME', default: 'genesys', doc: 'the adapter whose recorded-frame format FILE is in' },
    'data-dir': { type: 'string', value: 'DIR', doc: "the replay's store (default: a fresh temporary directory, never BRIDGE_DATA_DIR)" },
  },
} as const satisfies CommandSpec;

export async function replayCommand(args: string[], ctx: CliContext, options: ReplayOptions = {}): Promise<number> {
  const parsed = argsOrExit(replaySpec, args, ctx);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const module = ctx.modules.find((m) => m.name === values.adapter);
  if (!module?.createFrameDecoder) {
    return usageError(ctx, 'replay', `adapter "${values.adapter}" has no recorded-frame format (known: ${ctx.modules.filter((m) => m.createFrameDecoder).map((m) => m.name).join(', ')})`);
  }
  // Every file before anything is opened: a typo must not cost a half-replayed store.
  for (const file of positionals) {
    const problem = unreadable(file);
    if (problem) {
      println(ctx.stderr, `agentai-bridge replay: cannot read ${file}: ${problem}`);
      return EXIT.noInput;
    }
  }
  const config = loadOrExplain(ctx);
  if (typeof config === 'number') return config;
  const logger = loggerFor(config, ctx.modules, ctx.stderr);

  // Its own store: a replay must never pick up (and send again) what a running daemon has pending.
  const scratch = values['data-dir'] === undefined ? mkdtempSync(join(tmpdir(), 'agentai-bridge-replay-')) : undefined;
  const dataDir = values['data-dir'] ?? scratch ?? config.bridge.dataDir;
  const clock = new FrameClock();
  const store = await openStore(config, { dataDir });
  const bridge = new Bridge({ config, logger, store, now: clock.now, summaryStorePath: sqlitePath(dataDir), ...(options.metrics ? { metrics: options.metrics } : {}) });
  const decoder = module.createFrameDecoder({ config, logger, metrics: bridge.metrics, now: clock.now });
  await bridge.start({ timers: false });

  const summary: ReplaySummary = {
    lines: 0,
    frames: 0,
    malformed: [],
    facts: { accepted: 0, duplicate: 0, ignored: 0 },
    conversations: new Set(),
    delivered: 0,
    retried: 0,
    deadLettered: 0,
  };
  type Settled = { conversationId: string; outcome: IngestOutcome } | { error: unknown };
  let inFlight: Promise<Settled>[] = [];
  const settle = async (): Promise<void> => {
    const done = await Promise.all(inFlight);
    inFlight = [];
    for (const d of done) {
      if ('error' in d) throw d.error;
      summary.conversations.add(d.conversationId);
      summary.facts[d.outcome] += 1;
    }
  };
  try {
    for (const file of positionals) {
      const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
      let lineNo = 0;
      for await (const text of lines) {
        lineNo += 1;
        if (text.trim() === '') continue;
        summary.lines += 1;
        let fed;
        try {
          fed = await feedFrame(bridge, decoder, clock, text);
        } catch (err) {
          if (!(err instanceof MalformedLineError)) throw err;
          const error = err.message;
          summary.malformed.push({ file, line: lineNo, error });
          bridge.metrics.malformed.inc({ adapter: module.name });
          logger.warn({ file, line: lineNo, error, event: 'replay.frame_malformed' }, `malformed frame skipped (${file}:${lineNo})`);
          continue;
        }
        summary.frames += 1;
        for (const warning of fed.warnings) logger.warn({ file, line: lineNo, event: 'replay.frame_warning' }, warning);
        // A handler at once: a failure is reported by settle(), never as an unhandled rejection.
        inFlight.push(...fed.outcomes.map((p) => p.catch((error: unknown): Settled => ({ error }))));
        // Bounded: facts of many frames commit together, but memory does not grow with the file.
        if (inFlight.length >= 1024) await settle();
      }
    }
    await settle();
    await finishReplay(bridge, clock);
  } finally {
    Object.assign(summary, bridge.dispatcher.counts);
    await bridge.stop(5_000);
    // Dead letters are worth a look: their store stays, and the summary says where.
    if (scratch && summary.deadLettered === 0) rmSync(scratch, { recursive: true, force: true });
  }
  printSummary(ctx, summary, dataDir);
  return summary.deadLettered > 0 ? EXIT.deadLetters : EXIT.ok;
}

function printSummary(ctx: CliContext, s: ReplaySummary, dataDir: string): void {
  const out = ctx.stdout;
  println(out, 'replay summary');
  println(out, `  frames:        ${s.frames} of ${s.lines} lines (${s.malformed.length} malformed, skipped)`);
  for (const m of s.malformed) println(out, `    ${m.file}:${m.line}: ${m.error}`);
  println(out, `  facts:         ${s.facts.accepted} applied, ${s.facts.duplicate} duplicate, ${s.facts.ignored} ignored`);
  println(out, `  conversations: ${s.conversations.size}`);
  println(out, `  hook calls:    ${s.delivered} delivered, ${s.retried} retried, ${s.deadLettered} dead-lettered`);
  println(out, s.deadLettered > 0 ? `  result:        FAILED: dead letters (see \`BRIDGE_DATA_DIR=${dataDir} agentai-bridge dead-letters list\`)` : '  result:        ok');
}

/** Why `file` cannot be read (ENOENT, EACCES, EISDIR), or undefined. Reads nothing: FILE may be a pipe. */
function unreadable(file: string): string | undefined {
  try {
    accessSync(file, constants.R_OK);
    return statSync(file).isDirectory() ? 'EISDIR: is a directory' : undefined;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // "ENOENT: no such file or directory, access 'x'": the path is already in the line.
    return message.split(', ')[0] ?? message;
  }
}
