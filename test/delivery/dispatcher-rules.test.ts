// The dispatcher's promises against a real store, a scripted Agent AI and a clock the test moves: order per
// conversation, END_OF_CONVERSATION at most once, retries and their schedule, dead letters that hold or do not
// hold a conversation, the circuit, send-time completion and the drain. Nothing here sleeps.
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { Completion, OutboxCompleter, PendingCall } from '../../src/core/adapter.js';
import type { SendOutcome } from '../../src/agentai/outcome.js';
import { Dispatcher, type BotCredentials, type DeliveryOptions, type HookSender } from '../../src/delivery/dispatcher.js';
import { BridgeMetrics } from '../../src/observability/metrics.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { NewOutboxRow, OutboxKind, OutboxRow, Store } from '../../src/store/types.js';
import { LineCollector } from '../helpers/harness.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { seedRecord } from '../helpers/store-seed.js';
import { record } from '../store/contract.js';

const BOT: BotCredentials = { botId: 'st-1', clientId: 'cs-1', clientSecret: 'secret-1' };

const OPTIONS: DeliveryOptions = {
  maxInFlight: 4,
  maxAttempts: 0,
  maxAgeMs: 3_600_000,
  backoffBaseMs: 1_000,
  backoffMaxMs: 8_000,
  eocOnUnknownOutcome: 'skip',
  circuit: { failures: 3, probeBaseMs: 1_000, probeMaxMs: 4_000 },
};

interface Sent {
  readonly conversationId: string;
  readonly label: string;
  readonly at: number;
}

/** Agent AI as a script: answers 200 unless `answer` says otherwise for a call. */
class ScriptedAgentAi implements HookSender {
  readonly host = 'agentai.test';
  readonly sent: Sent[] = [];
  answer: (call: Sent, nth: number) => SendOutcome | Promise<SendOutcome> = () => ({ kind: 'ok', status: 200 });

  constructor(private readonly clock: FakeClock) {}

  async send(bot: BotCredentials, bodyJson: string): Promise<SendOutcome> {
    expect(bot).toEqual(BOT);
    const body = JSON.parse(bodyJson) as { conversationId: string; label: string };
    const call = { conversationId: body.conversationId, label: body.label, at: this.clock.now() };
    this.sent.push(call);
    return this.answer(call, this.sent.filter((s) => s.label === call.label && s.conversationId === call.conversationId).length);
  }

  labels(conversationId: string): string[] {
    return this.sent.filter((s) => s.conversationId === conversationId).map((s) => s.label);
  }
}

function outbox(conversationId: string, labels: readonly string[], factAt = 0): NewOutboxRow[] {
  return labels.map((label) => {
    const kind: OutboxKind = label === 'END_OF_CONVERSATION' ? 'end' : label === 'TRIGGER_SUMMARY_EVENT' ? 'summary' : label.startsWith('message') ? 'message' : 'transfer';
    return { kind, label, event: label.startsWith('message') ? 'message' : label, body: { conversationId, label }, factAt };
  });
}

interface Rig {
  readonly store: Store;
  readonly clock: FakeClock;
  readonly agentai: ScriptedAgentAi;
  readonly logs: LineCollector;
  readonly metrics: BridgeMetrics;
  readonly delivered: OutboxRow[];
  dispatcher: Dispatcher;
  seed(conversationId: string, labels: readonly string[]): Promise<OutboxRow[]>;
  /** Moves the clock and waits for the work the due timers started. */
  advance(ms: number): Promise<void>;
  /** Log lines (parsed) with this `event` field. */
  events(event: string): Record<string, unknown>[];
  restart(overrides?: Partial<DeliveryOptions>): Promise<void>;
}

const rigs: Rig[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) {
    await stopNow(r);
    await r.store.close();
  }
});

async function rig(
  overrides: Partial<DeliveryOptions> = {},
  extra: { completers?: Map<string, OutboxCompleter>; random?: () => number; store?: Store; metrics?: false } = {},
): Promise<Rig> {
  const clock = new FakeClock();
  const store = extra.store ?? (await openSqliteStore({ path: ':memory:', now: clock.now }));
  const agentai = new ScriptedAgentAi(clock);
  const logs = new LineCollector();
  const metrics = new BridgeMetrics({ defaults: false });
  const delivered: OutboxRow[] = [];
  const make = (o: Partial<DeliveryOptions>): Dispatcher =>
    new Dispatcher({
      store,
      sender: agentai,
      bots: new Map([['default', BOT]]),
      options: { ...OPTIONS, ...o },
      logger: pino({ level: 'debug' }, logs),
      ...(extra.metrics === false ? {} : { metrics }),
      now: clock.now,
      timers: clock,
      random: extra.random ?? (() => 0.5),
      ...(extra.completers ? { completers: extra.completers } : {}),
      onDelivered: (row) => delivered.push(row),
    });
  const r: Rig = {
    store,
    clock,
    agentai,
    logs,
    metrics,
    delivered,
    dispatcher: make(overrides),
    async seed(conversationId, labels) {
      await seedRecord(store, record(conversationId), outbox(conversationId, labels));
      return store.outboxFor(conversationId);
    },
    advance: (ms) => clock.play(ms, () => r.dispatcher.whenQuiet()),
    events(event) {
      return logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.event === event);
    },
    async restart(o = {}) {
      await stopNow(r);
      r.dispatcher = make({ ...overrides, ...o });
      await r.dispatcher.start();
      await r.dispatcher.whenQuiet();
    },
  };
  rigs.push(r);
  return r;
}

/** Stops without a drain (its deadline is on the rig's clock). */
async function stopNow(r: Rig): Promise<void> {
  const stopping = r.dispatcher.stop(0);
  r.clock.step(0);
  await r.dispatcher.whenQuiet();
  await stopping;
}

/** Delivers what is there now and waits for it. */
async function deliver(r: Rig, ...conversationIds: string[]): Promise<void> {
  for (const id of conversationIds) r.dispatcher.notify(id);
  await r.dispatcher.whenQuiet();
}

/** Leaves a row marked in flight, as a process killed mid-request does. */
async function leaveInFlight(store: Store, row: OutboxRow, at: number): Promise<void> {
  const [claim] = await store.claim([row.conversationId]);
  if (!claim) throw new Error('no claim');
  await store.record([{ claim, update: { id: row.id, status: 'inflight', at } }]);
  await store.release([claim]);
}

const STANDARD = ['NA entry A', 'message USER', 'NA exit A', 'TRIGGER_SUMMARY_EVENT', 'END_OF_CONVERSATION'];

describe('dispatcher: order and completion', () => {
  it('delivers every row of a conversation once, in order, and tells who listens', async () => {
    const r = await rig();
    await r.seed('c1', STANDARD);
    await deliver(r, 'c1');
    expect(r.agentai.labels('c1')).toEqual(STANDARD);
    expect(r.delivered.map((d) => d.label)).toEqual(STANDARD);
    expect(r.dispatcher.counts).toEqual({ delivered: 5, retried: 0, deadLettered: 0 });
    expect((await r.store.outboxFor('c1')).map((o) => o.status)).toEqual(['done', 'done', 'done', 'done', 'done']);
    expect(r.events('hook.delivered').map((e) => [e.conversationId, e.hookEvent])).toEqual(STANDARD.map((l) => ['c1', l.startsWith('message') ? 'message' : l]));
    await r.dispatcher.whenIdle();
    // Nothing is sent twice when asked again.
    await deliver(r, 'c1');
    expect(r.agentai.sent).toHaveLength(5);
  });

  it('start() picks up what a previous run left pending', async () => {
    const r = await rig();
    await r.seed('c1', ['NA entry A']);
    await r.seed('c2', ['NA entry B']);
    await r.dispatcher.start();
    await r.dispatcher.whenQuiet();
    expect(r.agentai.sent.map((s) => s.label).sort()).toEqual(['NA entry A', 'NA entry B']);
  });

  it('after a restart on a large backlog, the first call goes out before every conversation has been read', async () => {
    const inner = await openSqliteStore({ path: ':memory:', now: () => 0 });
    let heads = 0;
    const store = new Proxy(inner, {
      get(target, key) {
        if (key === 'head') return (id: string) => ((heads += 1), target.head(id));
        const value: unknown = Reflect.get(target, key, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const r = await rig({}, { store });
    for (let i = 0; i < 600; i += 1) await r.seed(`c${i}`, ['NA entry A']);
    let headsAtFirstCall: number | undefined;
    r.agentai.answer = () => {
      headsAtFirstCall ??= heads;
      return { kind: 'ok', status: 200 };
    };
    await r.dispatcher.start();
    await r.dispatcher.whenQuiet();
    expect(r.agentai.sent).toHaveLength(600);
    expect(headsAtFirstCall).toBeLessThan(200);
  });

  it('a row that arrives while the conversation is being delivered goes out right after', async () => {
    const r = await rig();
    let release: (() => void) | undefined;
    r.agentai.answer = (call) => (call.label === 'NA entry A' ? new Promise((res) => (release = () => res({ kind: 'ok', status: 200 }))) : { kind: 'ok', status: 200 });
    await r.seed('c1', ['NA entry A']);
    r.dispatcher.notify('c1');
    await until(() => release !== undefined);
    await seedRecord(r.store, record('c1'), outbox('c1', ['message USER']));
    r.dispatcher.notify('c1');
    release?.();
    await r.dispatcher.whenQuiet();
    expect(r.agentai.labels('c1')).toEqual(['NA entry A', 'message USER']);
  });

  it('conversations do not wait for each other', async () => {
    const r = await rig();
    let release: (() => void) | undefined;
    r.agentai.answer = (call) => (call.label === 'NA entry A' && call.conversationId === 'slow' ? new Promise((res) => (release = () => res({ kind: 'ok', status: 200 }))) : { kind: 'ok', status: 200 });
    await r.seed('slow', ['NA entry A', 'NA exit A']);
    await r.seed('fast', ['NA entry B', 'NA exit B']);
    r.dispatcher.notify('slow');
    r.dispatcher.notify('fast');
    await until(() => r.agentai.labels('fast').length === 2, 1000, () => JSON.stringify(r.agentai.sent));
    expect(r.agentai.labels('slow')).toEqual(['NA entry A']);
    release?.();
    await r.dispatcher.whenQuiet();
    expect(r.agentai.labels('slow')).toEqual(['NA entry A', 'NA exit A']);
  });

  it('caps the calls in flight across conversations (DELIVERY_MAX_IN_FLIGHT)', async () => {
    const r = await rig({ maxInFlight: 2 });
    const waiting: (() => void)[] = [];
    r.agentai.answer = () => new Promise((res) => waiting.push(() => res({ kind: 'ok', status: 200 })));
    for (const id of ['a', 'b', 'c']) await r.seed(id, ['NA entry A']);
    for (const id of ['a', 'b', 'c']) r.dispatcher.notify(id);
    await until(() => waiting.length === 2);
    await turns(20);
    expect(r.agentai.sent).toHaveLength(2);
    expect(r.dispatcher.status()).toMatchObject({ inFlight: 2, waitingForSlot: 1 });
    waiting.shift()?.();
    await until(() => waiting.length === 2);
    expect(r.agentai.sent).toHaveLength(3);
    for (const w of waiting.splice(0)) w();
    await r.dispatcher.whenQuiet();
  });

  it('the metrics count calls by kind and status, and the latency from the fact', async () => {
    const r = await rig();
    r.agentai.answer = (call, nth) => (call.label === 'NA entry A' && nth === 1 ? { kind: 'retry', status: 429, retryAfterMs: 1_000, error: 'HTTP 429' } : { kind: 'ok', status: 202 });
    // The fact happened 500 ms before the row was queued; the first try fails, the second goes 1 s later.
    await seedRecord(r.store, record('c1'), outbox('c1', ['NA entry A'], r.clock.now() - 500));
    await deliver(r, 'c1');
    await r.advance(60_000);
    const calls = await r.metrics.hookCalls.get();
    expect(calls.values.map((v) => [v.labels, v.value])).toEqual([
      [{ event: 'transfer', status: '429' }, 1],
      [{ event: 'transfer', status: '202' }, 1],
    ]);
    expect((await r.metrics.retries.get()).values.map((v) => [v.labels, v.value])).toEqual([[{ event: 'transfer' }, 1]]);
    const latency = await r.metrics.latency.get();
    expect(latency.values.find((v) => v.metricName === 'bridge_fact_to_hook_seconds_count')?.value).toBe(1);
    expect(latency.values.find((v) => v.metricName === 'bridge_fact_to_hook_seconds_sum')?.value).toBeCloseTo(1.5, 6);
    expect((await r.metrics.inFlight.get()).values[0]?.value).toBe(0);
  });
});

describe('dispatcher: END_OF_CONVERSATION at most once', () => {
  it('an END_OF_CONVERSATION found in flight at start is not resent: a dead letter, logged at error', async () => {
    const r = await rig();
    const rows = await r.seed('c1', ['NA exit A', 'END_OF_CONVERSATION']);
    await leaveInFlight(r.store, rows[0]!, r.clock.now());
    await r.store.record([{ claim: { conversationId: 'c1', fence: 0 }, update: { id: rows[0]!.id, status: 'done', httpStatus: 200, at: r.clock.now() } }]);
    await leaveInFlight(r.store, rows[1]!, r.clock.now());
    await r.dispatcher.start();
    await r.dispatcher.whenQuiet();
    expect(r.agentai.sent).toEqual([]);
    const [dead] = await r.store.deadLetters();
    expect(dead?.label).toBe('END_OF_CONVERSATION');
    expect(dead?.lastError).toMatch(/^outcome unknown: .*\(the bridge stopped while the call was in flight\)$/);
    // It holds nothing back: the conversation is over anyway.
    expect(dead?.blocking).toBeFalsy();
    const [line] = r.events('hook.dead_letter');
    expect(line).toMatchObject({ level: 50, conversationId: 'c1', hookEvent: 'END_OF_CONVERSATION', blocking: false });
    expect(r.events('delivery.resend_interrupted')).toEqual([]);
  });

  it('any other call found in flight at start is resent (at least once), and said so at warn', async () => {
    const r = await rig();
    const rows = await r.seed('c1', ['message USER', 'END_OF_CONVERSATION']);
    await leaveInFlight(r.store, rows[0]!, r.clock.now());
    await r.dispatcher.start();
    await r.dispatcher.whenQuiet();
    expect(r.agentai.labels('c1')).toEqual(['message USER', 'END_OF_CONVERSATION']);
    expect(r.events('delivery.resend_interrupted')).toMatchObject([{ level: 40, conversationId: 'c1', hookEvent: 'message', outboxId: rows[0]!.id }]);
    expect(await r.store.deadLetters()).toEqual([]);
  });

  it('with DELIVERY_EOC_ON_UNKNOWN_OUTCOME=resend an END_OF_CONVERSATION found in flight is sent again', async () => {
    const r = await rig({ eocOnUnknownOutcome: 'resend' });
    const [eoc] = await r.seed('c1', ['END_OF_CONVERSATION']);
    await leaveInFlight(r.store, eoc!, r.clock.now());
    await r.dispatcher.start();
    await r.dispatcher.whenQuiet();
    expect(r.agentai.labels('c1')).toEqual(['END_OF_CONVERSATION']);
    expect(r.events('delivery.resend_interrupted')).toHaveLength(1);
  });

  it('an END_OF_CONVERSATION whose answer never came is not resent; another call is', async () => {
    const r = await rig();
    r.agentai.answer = (call, nth) => (nth === 1 ? { kind: 'unknown', error: 'UND_ERR_HEADERS_TIMEOUT: timeout' } : { kind: 'ok', status: 200 });
    await r.seed('c1', ['message USER', 'END_OF_CONVERSATION']);
    await deliver(r, 'c1');
    await r.advance(60_000);
    expect(r.agentai.labels('c1')).toEqual(['message USER', 'message USER', 'END_OF_CONVERSATION']);
    const [dead] = await r.store.deadLetters();
    expect(dead?.label).toBe('END_OF_CONVERSATION');
    expect(dead?.lastError).toMatch(/^outcome unknown: .*\(UND_ERR_HEADERS_TIMEOUT: timeout\)$/);
    expect(dead?.attempts).toBe(1);
    expect(dead?.blocking).toBeFalsy();
  });

  it('with the resend policy an END_OF_CONVERSATION of unknown outcome is retried like any call', async () => {
    const r = await rig({ eocOnUnknownOutcome: 'resend' });
    r.agentai.answer = (_call, nth) => (nth === 1 ? { kind: 'unknown', error: 'socket hang up' } : { kind: 'ok', status: 200 });
    await r.seed('c1', ['END_OF_CONVERSATION']);
    await deliver(r, 'c1');
    await r.advance(60_000);
    expect(r.agentai.labels('c1')).toEqual(['END_OF_CONVERSATION', 'END_OF_CONVERSATION']);
    expect(await r.store.deadLetters()).toEqual([]);
  });

  it('a sender that throws counts as an unknown outcome', async () => {
    const r = await rig();
    r.agentai.answer = () => {
      throw new Error('boom');
    };
    await r.seed('c1', ['END_OF_CONVERSATION']);
    await deliver(r, 'c1');
    const [dead] = await r.store.deadLetters();
    expect(dead?.lastError).toMatch(/\(sender failed: boom\)$/);
  });
});

describe('dispatcher: retries', () => {
  it('retries a transient failure after the backoff, and nothing behind it overtakes it', async () => {
    const r = await rig({}, { random: () => 0.5 });
    r.agentai.answer = (call, nth) => (call.label === 'NA entry A' && nth <= 2 ? { kind: 'retry', status: 500, error: 'HTTP 500' } : { kind: 'ok', status: 200 });
    await r.seed('c1', ['NA entry A', 'message USER']);
    const t0 = r.clock.now();
    await deliver(r, 'c1');
    expect(r.agentai.labels('c1')).toEqual(['NA entry A']);
    const [head] = await r.store.outboxFor('c1');
    // Full jitter: attempt 1 waits random × base = 0.5 × 1000.
    expect(head).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: t0 + 500, lastStatus: 500, lastError: 'HTTP 500' });
    expect(r.dispatcher.status()).toMatchObject({ retrying: 1 });
    await r.advance(499);
    expect(r.agentai.sent).toHaveLength(1);
    await r.advance(1);
    // Attempt 2 failed too: 0.5 × 2000.
    expect(r.agentai.sent.map((s) => s.at - t0)).toEqual([0, 500]);
    await r.advance(1_000);
    expect(r.agentai.sent.map((s) => [s.label, s.at - t0])).toEqual([['NA entry A', 0], ['NA entry A', 500], ['NA entry A', 1_500], ['message USER', 1_500]]);
    expect(r.dispatcher.counts).toEqual({ delivered: 2, retried: 2, deadLettered: 0 });
    expect(r.events('hook.retry').map((e) => [e.attempt, e.status, e.retryInMs])).toEqual([[1, 500, 500], [2, 500, 1_000]]);
    await r.dispatcher.whenIdle();
  });

  it('the backoff doubles up to DELIVERY_BACKOFF_MAX_MS', async () => {
    const r = await rig({ backoffBaseMs: 1_000, backoffMaxMs: 3_000 }, { random: () => 0.999 });
    r.agentai.answer = (_c, nth) => (nth <= 4 ? { kind: 'retry', error: 'ECONNREFUSED' } : { kind: 'ok', status: 200 });
    await r.seed('c1', ['NA entry A']);
    await deliver(r, 'c1');
    for (let i = 0; i < 4; i++) await r.advance(r.clock.nextAt()! - r.clock.now());
    expect(r.events('hook.retry').map((e) => e.retryInMs)).toEqual([999, 1_998, 2_997, 2_997]);
  });

  it('honours Retry-After instead of the backoff', async () => {
    const r = await rig();
    r.agentai.answer = (_c, nth) => (nth === 1 ? { kind: 'retry', status: 429, retryAfterMs: 7_000, error: 'HTTP 429' } : { kind: 'ok', status: 200 });
    await r.seed('c1', ['NA entry A']);
    const t0 = r.clock.now();
    await deliver(r, 'c1');
    await r.advance(6_999);
    expect(r.agentai.sent).toHaveLength(1);
    await r.advance(1);
    expect(r.agentai.sent.map((s) => s.at - t0)).toEqual([0, 7_000]);
  });

  it('a retry scheduled by a previous run waits for its time after a restart', async () => {
    const r = await rig();
    r.agentai.answer = (_c, nth) => (nth === 1 ? { kind: 'retry', status: 429, retryAfterMs: 10_000, error: 'HTTP 429' } : { kind: 'ok', status: 200 });
    await r.seed('c1', ['NA entry A']);
    await deliver(r, 'c1');
    await r.restart();
    // The bridge's periodic sweep offers it again; it goes only once its time has come.
    await r.advance(9_999);
    await r.dispatcher.sweep();
    await r.dispatcher.whenQuiet();
    expect(r.agentai.sent).toHaveLength(1);
    await r.advance(1);
    await r.dispatcher.sweep();
    await r.dispatcher.whenQuiet();
    expect(r.agentai.sent).toHaveLength(2);
  });

  it('gives up after DELIVERY_MAX_ATTEMPTS: a blocking dead letter that holds the conversation back', async () => {
    const r = await rig({ maxAttempts: 3 });
    r.agentai.answer = (call) => (call.label === 'NA entry A' ? { kind: 'retry', status: 503, error: 'HTTP 503' } : { kind: 'ok', status: 200 });
    await r.seed('c1', ['NA entry A', 'message USER']);
    await deliver(r, 'c1');
    await r.advance(60_000);
    expect(r.agentai.labels('c1')).toEqual(['NA entry A', 'NA entry A', 'NA entry A']);
    const [dead] = await r.store.deadLetters();
    expect(dead).toMatchObject({ label: 'NA entry A', lastStatus: 503, blocking: true, attempts: 3 });
    expect(dead?.lastError).toBe('HTTP 503; gave up after 3 attempts (DELIVERY_MAX_ATTEMPTS)');
    // Held back, and said so.
    await deliver(r, 'c1');
    expect(r.agentai.labels('c1')).not.toContain('message USER');
    expect(r.events('delivery.held_by_dead_letter')[0]).toMatchObject({ conversationId: 'c1', hookEvent: 'NA entry A', outboxId: dead?.id });
    expect(r.dispatcher.status()).toMatchObject({ heldByDeadLetter: 1 });
    // An operator retries it: it goes out, then what waited behind it.
    r.agentai.answer = () => ({ kind: 'ok', status: 200 });
    expect(await r.store.retryDead('all', r.clock.now())).toBe(1);
    await deliver(r, 'c1');
    expect(r.agentai.labels('c1')).toEqual(['NA entry A', 'NA entry A', 'NA entry A', 'NA entry A', 'message USER']);
  });

  it('with DELIVERY_MAX_ATTEMPTS=0 only DELIVERY_MAX_AGE_MS ends the retries', async () => {
    const r = await rig({ maxAttempts: 0, maxAgeMs: 20_000, backoffBaseMs: 1_000, backoffMaxMs: 1_000, circuit: { failures: 1_000, probeBaseMs: 1, probeMaxMs: 1 } }, { random: () => 0.999 });
    r.agentai.answer = () => ({ kind: 'retry', status: 503, error: 'HTTP 503' });
    await r.seed('c1', ['NA entry A']);
    await deliver(r, 'c1');
    for (let i = 0; i < 30 && r.clock.nextAt() !== undefined; i++) await r.advance(r.clock.nextAt()! - r.clock.now());
    const [dead] = await r.store.deadLetters();
    expect(dead).toMatchObject({ label: 'NA entry A', blocking: true });
    expect(dead?.lastError).toBe('HTTP 503; gave up after 21 s (DELIVERY_MAX_AGE_MS)');
    // Tried for as long as allowed, no longer: one attempt a second past the age limit at most.
    expect(r.agentai.sent.length).toBeGreaterThanOrEqual(20);
    expect(r.agentai.sent.at(-1)!.at - r.agentai.sent[0]!.at).toBeLessThanOrEqual(21_000);
  });

  it('a permanent rejection is a dead letter at once, and the conversation goes on', async () => {
    const r = await rig();
    r.agentai.answer = (call) => (call.label === 'message USER' ? { kind: 'permanent', status: 400, error: 'HTTP 400: bad' } : { kind: 'ok', status: 200 });
    await r.seed('c1', ['NA entry A', 'message USER', 'NA exit A']);
    await deliver(r, 'c1');
    expect(r.agentai.labels('c1')).toEqual(['NA entry A', 'message USER', 'NA exit A']);
    const [dead] = await r.store.deadLetters();
    expect(dead).toMatchObject({ label: 'message USER', lastStatus: 400, lastError: 'Agent AI rejected it: HTTP 400: bad' });
    expect(dead?.blocking).toBeFalsy();
    expect(r.dispatcher.counts).toEqual({ delivered: 2, retried: 0, deadLettered: 1 });
    expect((await r.metrics.deadLetters.get()).values.map((v) => [v.labels, v.value])).toEqual([[{ event: 'message', reason: 'rejected' }, 1]]);
  });

  it('a call for a bot no longer configured is a blocking dead letter that says so', async () => {
    const r = await rig();
    await seedRecord(r.store, { ...record('c1'), bot: 'gone' }, outbox('c1', ['NA entry A', 'message USER']));
    await deliver(r, 'c1');
    expect(r.agentai.sent).toEqual([]);
    const [dead] = await r.store.deadLetters();
    expect(dead).toMatchObject({ label: 'NA entry A', blocking: true, lastError: 'bot "gone" is not in the configuration any more' });
  });
});

describe('dispatcher: circuit', () => {
  it('pauses delivery after DELIVERY_CIRCUIT_FAILURES failures in a row, probes one call at a time, resumes in order', async () => {
    const r = await rig({ circuit: { failures: 3, probeBaseMs: 1_000, probeMaxMs: 4_000 }, backoffBaseMs: 100, backoffMaxMs: 100 }, { random: () => 0.999 });
    let down = true;
    r.agentai.answer = () => (down ? { kind: 'retry', status: 503, error: 'HTTP 503' } : { kind: 'ok', status: 200 });
    const ids = ['a', 'b', 'c', 'd'];
    for (const id of ids) await r.seed(id, ['NA entry A', 'NA exit A']);
    const t0 = r.clock.now();
    await deliver(r, ...ids);
    // Four conversations failed their first call; the circuit opened at the third.
    expect(r.agentai.sent).toHaveLength(4);
    expect(r.events('delivery.circuit_open')).toHaveLength(1);
    expect(r.dispatcher.status()).toMatchObject({ circuit: { state: 'open', host: 'agentai.test' } });
    expect((await r.metrics.circuitState.get()).values[0]).toMatchObject({ labels: { host: 'agentai.test' }, value: 2 });
    expect((await r.metrics.circuitState.get()).values).toHaveLength(1);
    // While open, the retries that come due wait for the probe instead of going out.
    await r.advance(999);
    expect(r.agentai.sent).toHaveLength(4);
    await r.advance(1);
    expect(r.agentai.sent).toHaveLength(5);
    // The probe failed: the next one waits twice as long, then four times (the max).
    await r.advance(1_999);
    expect(r.agentai.sent).toHaveLength(5);
    await r.advance(1);
    expect(r.agentai.sent).toHaveLength(6);
    await r.advance(4_000);
    expect(r.agentai.sent).toHaveLength(7);
    await r.advance(4_000);
    expect(r.agentai.sent.map((s) => s.at - t0)).toEqual([0, 0, 0, 0, 1_000, 3_000, 7_000, 11_000]);
    down = false;
    await r.advance(4_000);
    // The probe got through: the circuit closes and every conversation resumes, each in order.
    expect(r.events('delivery.circuit_closed')).toHaveLength(1);
    expect(r.dispatcher.status()).toMatchObject({ circuit: { state: 'closed' }, paused: 0 });
    for (const id of ids) expect(dedupe(r.agentai.labels(id))).toEqual(['NA entry A', 'NA exit A']);
    expect(await r.store.deadLetters()).toEqual([]);
    await r.dispatcher.whenIdle();
  });

  it('the circuit gauge says open (2), probing (1) while the probe is out, closed (0) after it', async () => {
    const r = await rig({ circuit: { failures: 1, probeBaseMs: 1_000, probeMaxMs: 1_000 } });
    let answerProbe: ((o: SendOutcome) => void) | undefined;
    r.agentai.answer = (_c, nth) => (nth === 1 ? { kind: 'retry', status: 503, error: 'HTTP 503' } : new Promise((res) => (answerProbe = res)));
    await r.seed('c1', ['NA entry A']);
    const gauge = async (): Promise<number | undefined> => (await r.metrics.circuitState.get()).values[0]?.value;
    expect(await gauge()).toBe(0);
    await deliver(r, 'c1');
    expect(await gauge()).toBe(2);
    r.clock.step(1_000);
    await until(() => answerProbe !== undefined);
    expect(await gauge()).toBe(1);
    answerProbe?.({ kind: 'ok', status: 200 });
    await r.dispatcher.whenQuiet();
    expect(await gauge()).toBe(0);
  });

  it('a permanent rejection is an answer: it closes the circuit too', async () => {
    const r = await rig({ circuit: { failures: 1, probeBaseMs: 1_000, probeMaxMs: 1_000 } });
    let answer: SendOutcome = { kind: 'retry', status: 503, error: 'HTTP 503' };
    r.agentai.answer = () => answer;
    await r.seed('c1', ['NA entry A', 'NA exit A']);
    await deliver(r, 'c1');
    expect(r.dispatcher.status()).toMatchObject({ circuit: { state: 'open' } });
    answer = { kind: 'permanent', status: 400, error: 'HTTP 400' };
    await r.advance(1_000);
    expect(r.dispatcher.status()).toMatchObject({ circuit: { state: 'closed' } });
    expect(r.agentai.labels('c1')).toEqual(['NA entry A', 'NA entry A', 'NA exit A']);
  });
});

describe('dispatcher: completion at send time', () => {
  function completer(fn: (call: PendingCall) => Completion | Promise<Completion>): Map<string, OutboxCompleter> {
    return new Map([['test', { complete: async (call: PendingCall) => fn(call) }]]);
  }

  it("sends the body the source's completer filled in", async () => {
    const r = await rig({}, { completers: completer((call) => ({ kind: 'ready', bodyJson: call.bodyJson.replace('NA entry A', 'NA entry Ann') })) });
    await r.seed('c1', ['NA entry A']);
    await deliver(r, 'c1');
    expect(r.agentai.labels('c1')).toEqual(['NA entry Ann']);
  });

  it('a call that cannot be completed yet waits (nothing overtakes it), then goes', async () => {
    let ready = false;
    const r = await rig({}, { completers: completer((call) => (ready || !call.bodyJson.includes('USER') ? { kind: 'ready', bodyJson: call.bodyJson } : { kind: 'retry', error: 'text not fetched', retryInMs: 3_000 })) });
    await r.seed('c1', ['message USER', 'NA exit A']);
    await deliver(r, 'c1');
    expect(r.agentai.sent).toEqual([]);
    expect((await r.store.outboxFor('c1'))[0]).toMatchObject({ status: 'pending', lastError: 'text not fetched', nextAttemptAt: r.clock.now() + 3_000 });
    expect(r.events('delivery.completion_retry')).toMatchObject([{ conversationId: 'c1', retryInMs: 3_000 }]);
    ready = true;
    await r.advance(3_000);
    expect(r.agentai.labels('c1')).toEqual(['message USER', 'NA exit A']);
  });

  it('a completer that throws is retried with the backoff', async () => {
    let n = 0;
    const r = await rig({}, { completers: completer((call) => {
      if (n++ === 0) throw new Error('lookup down');
      return { kind: 'ready', bodyJson: call.bodyJson };
    }) });
    await r.seed('c1', ['NA entry A']);
    await deliver(r, 'c1');
    expect((await r.store.outboxFor('c1'))[0]).toMatchObject({ status: 'pending', lastError: 'completer failed: lookup down', nextAttemptAt: r.clock.now() + 500 });
    await r.advance(500);
    expect(r.agentai.labels('c1')).toEqual(['NA entry A']);
  });

  it('a call the completer gives up on is a dead letter; the conversation goes on', async () => {
    const r = await rig({}, { completers: completer((call) => (call.bodyJson.includes('USER') ? { kind: 'give-up', reason: 'message has no text' } : { kind: 'ready', bodyJson: call.bodyJson })) });
    await r.seed('c1', ['message USER', 'NA exit A']);
    await deliver(r, 'c1');
    expect(r.agentai.labels('c1')).toEqual(['NA exit A']);
    expect(await r.store.deadLetters()).toMatchObject([{ label: 'message USER', lastError: 'message has no text' }]);
  });

  it('the completer sees the call as queued', async () => {
    const seen: PendingCall[] = [];
    const r = await rig({}, { completers: completer((call) => (seen.push(call), { kind: 'ready', bodyJson: call.bodyJson })) });
    const [row] = await r.seed('c1', ['END_OF_CONVERSATION']);
    await deliver(r, 'c1');
    expect(seen).toEqual([{ conversationId: 'c1', kind: 'end', bodyJson: row!.bodyJson, queuedAt: row!.createdAt }]);
  });
});

describe('dispatcher: stop and store failures', () => {
  it('stop() drains what is deliverable and says whether everything went out', async () => {
    const r = await rig();
    await r.seed('c1', ['NA entry A', 'NA exit A']);
    r.dispatcher.notify('c1');
    expect(await r.dispatcher.stop(10_000)).toBe(true);
    expect(r.agentai.labels('c1')).toEqual(['NA entry A', 'NA exit A']);
  });

  it('stop() leaves no timer armed once it has drained (a finished replay exits at once, not 5 s later)', async () => {
    const r = await rig();
    await r.seed('c1', ['NA entry A']);
    r.dispatcher.notify('c1');
    expect(await r.dispatcher.stop(10_000)).toBe(true);
    expect(r.clock.pendingTimers).toBe(0);
  });

  it('stop() gives up at its deadline and leaves the rest in the store for the next start', async () => {
    const r = await rig();
    r.agentai.answer = (_c, nth) => (nth === 1 ? { kind: 'retry', status: 429, retryAfterMs: 60_000, error: 'HTTP 429' } : { kind: 'ok', status: 200 });
    await r.seed('c1', ['NA entry A']);
    await deliver(r, 'c1');
    const stopping = r.dispatcher.stop(5_000);
    r.clock.step(5_000);
    expect(await stopping).toBe(false);
    // Stopped: its retry timer is gone and new work is refused.
    r.clock.step(60_000);
    r.dispatcher.notify('c1');
    await r.dispatcher.whenQuiet();
    expect(r.agentai.sent).toHaveLength(1);
    expect((await r.store.outboxFor('c1'))[0]?.status).toBe('pending');
    await r.restart();
    expect(r.agentai.sent).toHaveLength(2);
  });

  it('a store failing under a conversation is logged with its code and tried again later', async () => {
    let failing = true;
    const flaky = await storeWith((real) => ({
      head: (id) => (failing ? Promise.reject(Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' })) : real.head(id)),
    }));
    const r = await rig({}, { store: flaky, random: () => 0 });
    await r.seed('c1', ['NA entry A']);
    await deliver(r, 'c1');
    expect(r.agentai.sent).toEqual([]);
    expect(r.events('delivery.store_failed')).toMatchObject([{ conversationId: 'c1', code: 'SQLITE_BUSY', retryInMs: 250 }]);
    failing = false;
    await r.advance(250);
    expect(r.agentai.labels('c1')).toEqual(['NA entry A']);
  });
});

describe('dispatcher: waiting and stopping', () => {
  it('a new row for a conversation whose head waits for its retry does not overtake it, nor hurry it', async () => {
    const r = await rig();
    r.agentai.answer = (call, nth) => (call.label === 'NA entry A' && nth === 1 ? { kind: 'retry', status: 429, retryAfterMs: 10_000, error: 'HTTP 429' } : { kind: 'ok', status: 200 });
    await r.seed('c1', ['NA entry A']);
    await deliver(r, 'c1');
    await r.advance(1_000);
    // The pipeline notifies on every new row.
    await seedRecord(r.store, record('c1'), outbox('c1', ['message USER']));
    await deliver(r, 'c1');
    expect(r.agentai.labels('c1')).toEqual(['NA entry A']);
    await r.advance(8_999);
    expect(r.agentai.labels('c1')).toEqual(['NA entry A']);
    await r.advance(1);
    expect(r.agentai.labels('c1')).toEqual(['NA entry A', 'NA entry A', 'message USER']);
  });

  it('whenIdle() waits for retries and for a paused circuit, not only for calls on the wire', async () => {
    const r = await rig({ circuit: { failures: 2, probeBaseMs: 5_000, probeMaxMs: 5_000 } });
    let down = true;
    r.agentai.answer = () => (down ? { kind: 'retry', status: 503, error: 'HTTP 503' } : { kind: 'ok', status: 200 });
    await r.seed('a', ['NA entry A']);
    await r.seed('b', ['NA entry B']);
    let idle = false;
    await deliver(r, 'a', 'b');
    void r.dispatcher.whenIdle().then(() => (idle = true));
    await r.advance(4_000);
    expect(idle).toBe(false);
    down = false;
    await r.advance(1_000);
    expect(r.agentai.sent.filter((s) => s.at === r.clock.now()).length).toBeGreaterThanOrEqual(1);
    await r.advance(1_000);
    await turns(5);
    expect(idle).toBe(true);
    expect(r.agentai.labels('a').at(-1)).toBe('NA entry A');
    expect(r.agentai.labels('b').at(-1)).toBe('NA entry B');
  });

  it('a call that fails while stop() drains is not retried after the stop; it waits in the store', async () => {
    const r = await rig();
    let answer: ((o: SendOutcome) => void) | undefined;
    r.agentai.answer = (_c, nth) => (nth === 1 ? new Promise((res) => (answer = res)) : { kind: 'ok', status: 200 });
    await r.seed('c1', ['NA entry A']);
    r.dispatcher.notify('c1');
    await until(() => answer !== undefined);
    const stopping = r.dispatcher.stop(0);
    r.clock.step(0);
    answer?.({ kind: 'retry', status: 503, error: 'HTTP 503' });
    await stopping;
    await r.advance(60_000);
    expect(r.agentai.sent).toHaveLength(1);
    expect(r.clock.pendingTimers).toBe(0);
    expect((await r.store.outboxFor('c1'))[0]).toMatchObject({ status: 'pending', lastStatus: 503 });
    expect(await r.dispatcher.sweep()).toBe(0);
  });

  it('a retry after DELIVERY_MAX_AGE_MS is given up on only once the age is past the limit, not at it', async () => {
    const r = await rig({ maxAgeMs: 2_000, circuit: { failures: 1_000, probeBaseMs: 1, probeMaxMs: 1 } });
    r.agentai.answer = () => ({ kind: 'retry', status: 429, retryAfterMs: 1_000, error: 'HTTP 429' });
    await r.seed('c1', ['NA entry A']);
    await deliver(r, 'c1');
    await r.advance(10_000);
    // Tries at 0, 1, 2 (age 2 s: still allowed) and 3 s (past it: dead letter).
    expect(r.agentai.sent.map((s) => s.at - r.agentai.sent[0]!.at)).toEqual([0, 1_000, 2_000, 3_000]);
    expect(await r.store.deadLetters()).toHaveLength(1);
  });

  it('the backoff of a completer retry grows with the attempts the call already had', async () => {
    let fail = false;
    const r = await rig({}, { completers: new Map([['test', { complete: async (call: PendingCall): Promise<Completion> => (fail ? { kind: 'retry', error: 'lookup down' } : { kind: 'ready', bodyJson: call.bodyJson }) }]]) });
    r.agentai.answer = (_c, nth) => (nth === 1 ? { kind: 'retry', status: 503, error: 'HTTP 503' } : { kind: 'ok', status: 200 });
    await r.seed('c1', ['NA entry A']);
    await deliver(r, 'c1');
    fail = true;
    await r.advance(500);
    // One attempt so far: the next delay is drawn from [0, 2 × base), here 0.5 × 2000.
    expect((await r.store.outboxFor('c1'))[0]).toMatchObject({ attempts: 1, lastError: 'lookup down', nextAttemptAt: r.clock.now() + 1_000 });
  });

  it('store failures back off further each time they repeat', async () => {
    let failures = 2;
    const flaky = await storeWith((real) => ({ head: (id) => (failures-- > 0 ? Promise.reject(new Error('disk I/O error')) : real.head(id)) }));
    const r = await rig({}, { store: flaky, random: () => 0.999 });
    await r.seed('c1', ['NA entry A']);
    await deliver(r, 'c1');
    await r.advance(10_000);
    expect(r.events('delivery.store_failed').map((e) => e.retryInMs)).toEqual([499, 749]);
    expect(r.agentai.labels('c1')).toEqual(['NA entry A']);
  });

  it('works without metrics', async () => {
    const r = await rig({ circuit: { failures: 1, probeBaseMs: 10, probeMaxMs: 10 } }, { metrics: false });
    r.agentai.answer = (call, nth) => (call.label === 'NA entry A' && nth === 1 ? { kind: 'retry', status: 503, error: 'HTTP 503' } : call.label === 'message USER' ? { kind: 'permanent', status: 400, error: 'HTTP 400' } : { kind: 'ok', status: 200 });
    await r.seed('c1', ['NA entry A', 'message USER', 'NA exit A']);
    await deliver(r, 'c1');
    await r.advance(10_000);
    expect(r.agentai.labels('c1')).toEqual(['NA entry A', 'NA entry A', 'message USER', 'NA exit A']);
    expect(r.events('delivery.store_failed')).toEqual([]);
  });

  it('a call whose text was left to fetch and that no completer fills in is a dead letter, never sent empty', async () => {
    const r = await rig();
    await seedRecord(r.store, record('c1'), [{ ...outbox('c1', ['message USER'])[0]!, ref: 'msg-1' }, ...outbox('c1', ['NA exit A'])]);
    await deliver(r, 'c1');
    expect(r.agentai.labels('c1')).toEqual(['NA exit A']);
    const [dead] = await r.store.deadLetters();
    expect(dead).toMatchObject({ label: 'message USER', lastError: 'nothing fills in this call for source "test" (reference msg-1)' });
    expect(dead?.blocking).toBeFalsy();
  });

  it('an outcome the store does not take at once is kept and written again, backing off further each time', async () => {
    let failures = 2;
    const store = await storeWith((real) => ({
      record: (updates) => (updates.some((u) => u.update.status === 'done') && failures-- > 0 ? Promise.reject(new Error('disk full')) : real.record(updates)),
    }));
    const r = await rig({}, { store, random: () => 0.999 });
    await r.seed('c1', ['END_OF_CONVERSATION']);
    r.dispatcher.notify('c1');
    // The runner itself waits for the retry of its mark: move the clock without waiting for it to be quiet.
    await r.clock.advance(10_000);
    await r.dispatcher.whenQuiet();
    expect(r.events('delivery.mark_failed').map((e) => e.retryInMs)).toEqual([499, 749]);
    // Sent once, recorded as delivered: neither resent nor taken for an unknown outcome.
    expect(r.agentai.labels('c1')).toEqual(['END_OF_CONVERSATION']);
    expect((await r.store.outboxFor('c1'))[0]?.status).toBe('done');
    expect(await r.store.deadLetters()).toEqual([]);
  });

  it('gives a conversation back (release) once nothing is left in it', async () => {
    const released: string[] = [];
    const store = await storeWith((real) => ({
      release: async (claims) => {
        released.push(...claims.map((c) => c.conversationId));
        return real.release(claims);
      },
    }));
    const r = await rig({}, { store });
    await r.seed('c1', ['NA entry A']);
    await deliver(r, 'c1');
    expect(released).toEqual(['c1']);
  });
});

describe('dispatcher: claims (a shared store, several replicas)', () => {
  /** A store whose claims and fences behave as another replica's would. */
  const contested = (opts: { claimable: boolean; refuse: () => boolean }): Promise<Store> =>
    storeWith((real) => ({
      claim: async (ids) => (opts.claimable ? real.claim(ids) : []),
      record: async (updates) => (opts.refuse() ? { refused: updates.map((u) => u.update.id) } : real.record(updates)),
    }));

  it('a conversation another replica holds is not delivered here', async () => {
    const r = await rig({}, { store: await contested({ claimable: false, refuse: () => false }) });
    await r.seed('c1', ['NA entry A']);
    await deliver(r, 'c1');
    expect(r.agentai.sent).toEqual([]);
  });

  it('a claim lost before the in-flight mark: the call is not sent, and it is said', async () => {
    const r = await rig({}, { store: await contested({ claimable: true, refuse: () => true }) });
    await r.seed('c1', ['NA entry A']);
    await deliver(r, 'c1');
    expect(r.agentai.sent).toEqual([]);
    expect(r.events('delivery.claim_lost')).toMatchObject([{ conversationId: 'c1' }]);
    // The claim is gone: the next look claims again.
    expect(r.dispatcher.status()).toMatchObject({ counts: { delivered: 0 } });
  });

  it('a claim lost after the call went out: not marked, nothing more sent from here', async () => {
    let marks = 0;
    const r = await rig({}, { store: await contested({ claimable: true, refuse: () => ++marks > 1 }) });
    await r.seed('c1', ['NA entry A', 'NA exit A']);
    await deliver(r, 'c1');
    expect(r.agentai.labels('c1')).toEqual(['NA entry A']);
    expect(r.delivered).toEqual([]);
    expect(r.dispatcher.counts.delivered).toBe(0);
    expect(r.events('delivery.claim_lost')).toHaveLength(1);
  });
});

/** A real in-memory store with some of its methods replaced (a failing disk, another replica's claims). */
async function storeWith(replace: (real: Store) => Partial<Store>): Promise<Store> {
  const real = await openSqliteStore({ path: ':memory:', now: new FakeClock().now });
  const replaced: Partial<Store> = replace(real);
  return new Proxy(real, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && prop in replaced) return replaced[prop as keyof Store];
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function dedupe(labels: string[]): string[] {
  return labels.filter((l, i) => l !== labels[i - 1]);
}

/** Event-loop turns, not time: lets promises and I/O callbacks run. */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

async function until(condition: () => boolean, maxTurns = 1_000, why?: () => string): Promise<void> {
  for (let i = 0; i < maxTurns && !condition(); i++) await turns(1);
  expect(condition(), why?.()).toBe(true);
}
