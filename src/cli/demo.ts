// `agentai-bridge demo`: the whole product on a fresh machine, no accounts. It starts the simulated
// Genesys Cloud org (src/sim/genesys), the built-in Agent AI receiver (src/sim/agentai-receiver) and the
// real daemon (`startDaemon`) wired to both: the Genesys adapter talks to the simulator through the SDK and
// the websocket exactly as it would to Genesys. Scripted conversations play (with optional faults), then a
// timeline per conversation shows what Genesys did and what Agent AI received, and a summary closes.
// Exit 0 only if every conversation's Agent AI sequence is complete (ends with END_OF_CONVERSATION) and the
// receiver saw no violation and delivery no dead letter.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeAgentAi, type ReceivedCall } from '../sim/agentai-receiver.js';
import type { HookItem } from '../sim/agentai-schemas.js';
import { GenesysSim } from '../sim/genesys/server.js';
import { ScriptPlayer, type PlayedStep } from '../sim/genesys/player.js';
import { buildScenario, DEMO_QUEUES, DEMO_USERS, SCENARIO_KINDS } from '../sim/genesys/scenarios.js';
import { simulatedDeploymentOverrides } from '../sim/simulated-deployment.js';
import { schema } from '../config/schema.js';
import { FAULTS, injectFault, isFault, type FaultName } from '../sim/genesys/faults.js';
import { StepTriggers, stepsBefore } from '../sim/genesys/step-triggers.js';
import type { SimScript } from '../sim/genesys/script.js';
import { argsOrExit, usageError, type CommandSpec, type ParsedArgs } from './args.js';
import { EXIT, println, type CliContext } from './context.js';
import { startDaemon } from './run.js';

export const demoSpec = {
  name: 'demo',
  summary: 'the whole product against a simulated Genesys org and a built-in Agent AI receiver, no accounts, in a store of its own',
  flags: {
    conversations: { type: 'string', value: 'N', default: String(SCENARIO_KINDS.length), doc: `conversations to play (1..500), cycling through: ${SCENARIO_KINDS.join(', ')}` },
    duration: { type: 'string', value: 'SECONDS', default: '8', doc: 'seconds over which conversations start (0..600)' },
    speed: { type: 'string', value: 'X', default: '10', doc: 'how much faster than real time the scenarios run (1..100)' },
    faults: { type: 'string', value: 'LIST', choices: FAULTS, list: true, default: '', doc: 'faults injected, in turn, while conversations run (none by default)' },
    'log-level': { type: 'string', value: 'LEVEL', choices: schema.log.level.format, default: 'silent', doc: 'daemon log level on stdout' },
  },
} as const satisfies CommandSpec;

const DEMO_BOT = { botId: 'st-demo-bot', clientId: 'cs-demo-client', clientSecret: 'demo-secret-0123456789abcdef' };
const DEMO_GENESYS = { clientId: 'demo-genesys-client', clientSecret: 'demo-genesys-secret' };

interface DemoOptions {
  conversations: number;
  durationMs: number;
  speed: number;
  faults: FaultName[];
  logLevel: string;
}

function parse(values: ParsedArgs<typeof demoSpec.flags>['values']): DemoOptions | string {
  const conversations = Number(values.conversations);
  const duration = Number(values.duration);
  const speed = Number(values.speed);
  if (!Number.isInteger(conversations) || conversations < 1 || conversations > 500) return '--conversations must be a whole number from 1 to 500';
  if (!(duration >= 0 && duration <= 600)) return '--duration must be 0..600 seconds';
  if (!(speed >= 1 && speed <= 100)) return '--speed must be 1..100';
  // The flag table has already refused a name that is no fault.
  const faults = values.faults.split(',').map((f) => f.trim()).filter(isFault);
  return { conversations, durationMs: duration * 1000, speed, faults, logLevel: values['log-level'] };
}

export async function demoCommand(args: string[], ctx: CliContext): Promise<number> {
  const parsed = argsOrExit(demoSpec, args, ctx);
  if (typeof parsed === 'number') return parsed;
  const options = parse(parsed.values);
  if (typeof options === 'string') return usageError(ctx, 'demo', options);
  const { speed } = options;
  const dataDir = mkdtempSync(join(tmpdir(), 'agentai-bridge-demo-'));
  const sim = await GenesysSim.start({ ...DEMO_GENESYS, heartbeatMs: 1000, closingGraceMs: 2000 });
  for (const u of DEMO_USERS) sim.org.addUser(u);
  for (const q of DEMO_QUEUES) sim.org.addQueue(q);
  const fake = await FakeAgentAi.start({ bots: [DEMO_BOT] });
  try {
    const overrides = simulatedDeploymentOverrides({
      agentai: { url: fake.url, ...DEMO_BOT },
      genesys: { url: sim.url, ...DEMO_GENESYS },
      dataDir,
      speed,
      logLevel: options.logLevel,
    });
    // A hermetic run: the caller's environment (a real AGENTAI_URL, say) must not leak into the demo.
    const handle = await startDaemon({ ...ctx, env: {} }, { signals: false, overrides });
    if (typeof handle === 'number') return handle;
    if (!(await handle.ready)) return handle.done;

    const startedAt = Date.now();
    println(ctx.stdout, `agentai-bridge demo: simulated Genesys Cloud at ${sim.url}, Agent AI receiver at ${fake.url}, daemon on :${handle.http.port}`);
    println(ctx.stdout, `playing ${options.conversations} conversation(s) at ${speed}× over ${options.durationMs / 1000} s${options.faults.length ? `, faults: ${options.faults.join(', ')}` : ''}\n`);

    const player = new ScriptPlayer(sim);
    const scripts: { script: SimScript; base: number; conversationId: string }[] = [];
    for (let i = 0; i < options.conversations; i += 1) {
      const kind = SCENARIO_KINDS[i % SCENARIO_KINDS.length] ?? 'standard';
      const base = startedAt + 300 + Math.round((options.durationMs * i) / Math.max(1, options.conversations));
      const script = buildScenario(kind, i, base);
      const first = script.steps[0]?.body.id;
      scripts.push({ script, base, conversationId: typeof first === 'string' ? first : '' });
    }
    const faultsDone: { at: number; what: string }[] = [];
    const lastStart = Math.max(...scripts.map((s) => s.base));
    // Each fault fires after the step planned just before its time, not at the time: on a slow machine it still
    // meets the conversations at the same point.
    const triggers = new StepTriggers();
    const plays = scripts.map((s) => ({ script: s.script, baseMs: s.base }));
    options.faults.forEach((fault, i) => {
      const atMs = startedAt + 300 + Math.round(((lastStart - startedAt + 2000) * (i + 1)) / (options.faults.length + 1));
      triggers.after(stepsBefore(plays, speed, atMs), () => faultsDone.push({ at: Date.now(), what: injectFault(sim, fault) }));
    });
    await Promise.all(scripts.map((s) => player.play(s.script, { speed, baseMs: s.base, onStep: triggers.onStep })));
    const ids = scripts.map((s) => s.conversationId);
    const ended = (id: string): boolean => fake.accepted(id).at(-1)?.items.at(-1)?.kind === 'end';
    const complete = (): boolean => ids.every(ended);
    await fake.waitFor(complete, 15_000 + Math.round(130_000 / speed)).catch(() => undefined);
    await handle.bridge.dispatcher.whenIdle();

    const reconnects = (await handle.bridge.metrics.reconnects.get()).values.reduce((n, v) => n + v.value, 0);
    const deadLetters = handle.bridge.dispatcher.counts.deadLettered;
    handle.shutdown('demo finished');
    await handle.done;

    let ok = true;
    for (const s of scripts) {
      const calls = fake.accepted(s.conversationId);
      const done = ended(s.conversationId);
      ok &&= done;
      // By script, not by conversation id: a redial placed as a new call is a second Genesys conversation.
      printTimeline(ctx, s.script, s.base, speed, player.played.filter((p) => p.script === s.script.name), calls, faultsDone, done);
    }
    const violations = fake.violations();
    ok &&= violations.length === 0 && deadLetters === 0;
    printSummary(ctx, { scripts: scripts.length, fake, ids, faults: faultsDone.map((f) => f.what), reconnects, deadLetters, violations, ok });
    return ok ? EXIT.ok : EXIT.failure;
  } finally {
    await fake.close();
    await sim.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const NAMES = new Map(DEMO_USERS.map((u) => [u.id, u.name]));

/** "NA entry <uuid>" → "NA entry Alice Adams", with the transfer type marked. */
function describeCall(call: ReceivedCall): string {
  return call.items.map((item) => describeItem(item, call.body)).join(' + ');
}

function describeItem(item: HookItem, body: unknown): string {
  switch (item.kind) {
    case 'transfer': {
      const who = NAMES.get(item.identity) ?? item.identity;
      return item.type === 'na' ? `NA ${item.transition} ${who}` : `${item.type} ${item.transition} ${who} [${item.type}]`;
    }
    case 'message':
      return `message ${item.author}: "${messageText(body)}"`;
    case 'summary':
      return 'TRIGGER_SUMMARY_EVENT';
    case 'end':
      return 'END_OF_CONVERSATION';
  }
}

/** The summary's kinds: "NA entry", "cold exit", "message", "END_OF_CONVERSATION"... */
function kindOf(item: HookItem): string {
  switch (item.kind) {
    case 'transfer':
      return `${item.type === 'na' ? 'NA' : item.type} ${item.transition}`;
    case 'message':
      return 'message';
    case 'summary':
      return 'TRIGGER_SUMMARY_EVENT';
    case 'end':
      return 'END_OF_CONVERSATION';
  }
}

/** The hook body's `query` (the message text), shortened for one line. */
function messageText(body: unknown): string {
  const query = typeof body === 'object' && body !== null && 'query' in body ? body.query : undefined;
  const text = typeof query === 'string' ? query : '';
  return text.length > 50 ? `${text.slice(0, 47)}...` : text;
}

function clock(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${(s % 60).toFixed(1).padStart(4, '0')}`;
}

function printTimeline(
  ctx: CliContext,
  script: SimScript,
  base: number,
  speed: number,
  steps: readonly PlayedStep[],
  calls: readonly ReceivedCall[],
  faults: readonly { at: number; what: string }[],
  complete: boolean,
): void {
  const out = ctx.stdout;
  println(out, `── ${script.name}  ${steps[0]?.conversationId ?? ''}  ${complete ? 'complete' : 'INCOMPLETE'}`);
  // Genesys time: wall time scaled back to the scenario's clock.
  const at = (wall: number): string => clock((wall - base) * speed);
  type Row = { at: number; kind: 'genesys' | 'agentai' | 'fault'; text: string };
  const rows: Row[] = [
    ...steps.filter((s) => s.note).map((s) => ({ at: s.at, kind: 'genesys' as const, text: s.note ?? '' })),
    ...calls.map((c) => ({ at: c.receivedAt, kind: 'agentai' as const, text: describeCall(c) })),
    ...faults.filter((f) => f.at >= base && f.at <= (calls.at(-1)?.receivedAt ?? base)).map((f) => ({ at: f.at, kind: 'fault' as const, text: f.what })),
  ].sort((a, b) => a.at - b.at);
  let pending: Row | undefined;
  const flush = (): void => {
    if (pending) println(out, `  ${at(pending.at)}  genesys  ${pending.text}`);
    pending = undefined;
  };
  for (const row of rows) {
    if (row.kind === 'genesys') {
      flush();
      pending = row;
    } else if (row.kind === 'fault') {
      flush();
      println(out, `  ${at(row.at)}  FAULT    ${row.text}`);
    } else if (pending) {
      println(out, `  ${at(pending.at)}  genesys  ${pending.text.padEnd(58)} →  agentai  ${row.text}`);
      pending = undefined;
    } else {
      println(out, `  ${at(row.at)}  ${''.padEnd(67)} →  agentai  ${row.text}`);
    }
  }
  flush();
  println(out);
}

function printSummary(
  ctx: CliContext,
  s: { scripts: number; fake: FakeAgentAi; ids: readonly string[]; faults: readonly string[]; reconnects: number; deadLetters: number; violations: readonly string[]; ok: boolean },
): void {
  const out = ctx.stdout;
  const calls = s.ids.flatMap((id) => s.fake.accepted(id));
  const types = new Map<string, number>();
  for (const c of calls) {
    for (const item of c.items) types.set(kindOf(item), (types.get(kindOf(item)) ?? 0) + 1);
  }
  const complete = s.ids.filter((id) => s.fake.accepted(id).at(-1)?.items.at(-1)?.kind === 'end').length;
  println(out, 'demo summary');
  println(out, `  conversations:  ${s.scripts} played, ${complete} complete (END_OF_CONVERSATION last)`);
  println(out, `  hook calls:     ${calls.length} accepted by Agent AI`);
  println(out, `  kinds seen:     ${[...types].map(([k, n]) => `${k} ×${n}`).join(', ')}`);
  println(out, `  faults:         ${s.faults.length ? s.faults.join('; ') : 'none'} (websocket reconnects: ${s.reconnects})`);
  println(out, `  violations:     ${s.violations.length}${s.violations.length ? `\n    ${s.violations.join('\n    ')}` : ''}`);
  println(out, `  dead letters:   ${s.deadLetters}`);
  println(out, `  result:         ${s.ok ? 'ok' : 'FAILED'}`);
}
