// An Agent AI outage of hours, on a test clock: nothing is dead-lettered, the circuit pauses delivery instead
// of burning attempts, one probe goes out at growing intervals, and on recovery every conversation resumes in
// its own order. Also: order within a conversation behind a call being retried or a blocking dead letter.
import { describe, expect, it } from 'vitest';
import { DOWN, gauge, queue, startRig } from './rig.js';

const HOUR = 3_600_000;
const FLOW = ['NA entry A', 'message USER 1', 'message AGENT 2', 'NA exit A', 'TRIGGER_SUMMARY_EVENT', 'END_OF_CONVERSATION'];
const CONVERSATIONS = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8'];

describe('Agent AI outage', () => {
  it('rides out a three-hour outage with the default settings: nothing dead-lettered, order kept, attempts not burned', async () => {
    const rig = startRig();
    const { clock, host, store, metrics } = rig;
    host.latencyMs = 200;
    host.answer = () => DOWN;
    for (const id of CONVERSATIONS) await queue(store, id, FLOW);
    await rig.dispatcher.start();

    await clock.advance(10 * 60_000);
    const status = rig.dispatcher.status() as { circuit: { state: string; consecutiveFailures: number }; paused: number };
    expect(status.circuit.state).toBe('open');
    expect(await gauge(metrics, 'bridge_delivery_circuit_state')).toBe(2);
    const openedAt = host.calls[4]?.at ?? 0;
    // Exactly DELIVERY_CIRCUIT_FAILURES failures before it opened... (those in flight at the time finish too)
    const beforeOpen = host.calls.filter((c) => c.at <= openedAt);
    expect(beforeOpen.length).toBeGreaterThanOrEqual(5);
    expect(beforeOpen.length).toBeLessThanOrEqual(CONVERSATIONS.length);

    await clock.advance(3 * HOUR - 10 * 60_000);
    expect(await store.deadLetters()).toEqual([]);
    // ...then one probe at a time, at growing intervals up to DELIVERY_CIRCUIT_PROBE_MAX_MS.
    expect(host.maxConcurrent).toBeLessThanOrEqual(CONVERSATIONS.length);
    const probes = host.calls.slice(beforeOpen.length);
    const gaps = probes.slice(1).map((p, i) => p.at - (probes[i]?.at ?? 0));
    expect(gaps.length).toBeGreaterThan(300);
    for (let i = 1; i < gaps.length; i += 1) expect(gaps[i]).toBeGreaterThanOrEqual(gaps[i - 1] ?? 0);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(30_000 + 200);
    expect(gaps.at(-1)).toBeGreaterThanOrEqual(30_000);
    // Three hours at one probe per 30 s: a few hundred attempts in all, not one per call per backoff step.
    expect(host.calls.length).toBeLessThan(beforeOpen.length + 3 * 120 + 10);
    // And nothing polls while a probe is out (each probe takes 200 ms here): a few timers per probe, not one
    // wake-up of a parked conversation per millisecond of it.
    expect(clock.fired).toBeLessThan(10 * host.calls.length);
    // The attempt counts in the store say the same: only the rows that went out carry attempts.
    const rows = (await Promise.all(CONVERSATIONS.map((id) => store.outboxFor(id)))).flat();
    expect(rows.reduce((n, r) => n + r.attempts, 0)).toBe(host.calls.length);
    expect(rows.filter((r) => r.attempts > 0).every((r) => r.label === 'NA entry A')).toBe(true);
    expect(rows.every((r) => r.status === 'pending')).toBe(true);

    // Agent AI is back: the next probe succeeds and every conversation resumes, each in its order.
    host.answer = () => ({ kind: 'ok', status: 200 });
    const backAt = clock.now();
    await clock.advance(2 * 60_000);
    for (const id of CONVERSATIONS) expect(host.accepted(id)).toEqual(FLOW);
    // All of it within a minute of Agent AI coming back: the next probe (at most DELIVERY_CIRCUIT_PROBE_MAX_MS
    // away) and, for the few conversations that carried probes, the rest of their backoff.
    expect(Math.max(...host.calls.map((c) => c.at)) - backAt).toBeLessThanOrEqual(60_000);
    expect(await store.deadLetters()).toEqual([]);
    expect((rig.dispatcher.status() as { circuit: { state: string } }).circuit.state).toBe('closed');
    expect(await gauge(metrics, 'bridge_delivery_circuit_state')).toBe(0);
    await rig.dispatcher.whenIdle();
  });

  it('opens after exactly DELIVERY_CIRCUIT_FAILURES consecutive failures; an answer in between starts the count again', async () => {
    const rig = startRig({ maxInFlight: 1, circuit: { failures: 3, probeBaseMs: 5000, probeMaxMs: 30_000 } });
    const { clock, host, store } = rig;
    host.latencyMs = 100;
    const answers = ['down', 'down', 'ok', 'down', 'down', 'down'];
    host.answer = () => (answers.shift() === 'ok' ? { kind: 'ok', status: 200 } : DOWN);
    for (const id of ['a', 'b', 'c', 'd', 'e']) await queue(store, id, FLOW.slice(0, 1));
    await rig.dispatcher.start();
    await clock.advance(4000);
    // down, down, ok (count back to 0), down, down, down: open after the sixth call, not the third.
    expect(host.calls.map((c) => c.answered)).toEqual(['retry', 'retry', 'ok', 'retry', 'retry', 'retry']);
    expect((rig.dispatcher.status() as { circuit: { state: string } }).circuit.state).toBe('open');
    const openedAt = host.calls[5]?.at ?? 0;
    await clock.advance(5000);
    // Nothing until the first probe, DELIVERY_CIRCUIT_PROBE_BASE_MS after it opened.
    expect(host.calls).toHaveLength(7);
    expect((host.calls[6]?.at ?? 0) - openedAt).toBeGreaterThanOrEqual(5000);
  });

  it('a later call never overtakes one being retried, within a conversation; other conversations go on', async () => {
    const rig = startRig();
    const { clock, host, store } = rig;
    let failures = 0;
    // One call fails a few times (fewer than open the circuit); everything else is accepted.
    host.answer = (c) => (c.conversationId === 'slow' && c.label === 'message USER 1' && failures++ < 3 ? DOWN : { kind: 'ok', status: 200 });
    await queue(store, 'slow', FLOW);
    await queue(store, 'fast', FLOW);
    await rig.dispatcher.start();
    await clock.advance(100);
    expect(host.accepted('fast')).toEqual(FLOW);
    expect(host.tried('slow')).toEqual(['NA entry A', 'message USER 1']);
    await clock.advance(60_000);
    expect(host.tried('slow')).toEqual(['NA entry A', 'message USER 1', 'message USER 1', 'message USER 1', 'message USER 1', ...FLOW.slice(2)]);
    expect(host.accepted('slow')).toEqual(FLOW);
    const retried = (await store.outboxFor('slow')).find((r) => r.label === 'message USER 1');
    expect(retried?.attempts).toBe(4);
  });

  it('a call dead-lettered after its retries ran out holds its conversation until `dead-letters retry`, which sends it and the rest in order', async () => {
    const rig = startRig({ maxAgeMs: 30 * 60_000 });
    const { clock, host, store } = rig;
    host.answer = () => DOWN;
    await queue(store, 'held', FLOW);
    await rig.dispatcher.start();
    await clock.advance(HOUR);
    const [dead, ...none] = await store.deadLetters();
    expect(none).toEqual([]);
    expect(dead?.label).toBe('NA entry A');
    expect(dead?.blocking).toBe(true);
    expect(dead?.lastError).toMatch(/DELIVERY_MAX_AGE_MS/);
    expect(dead?.attempts).toBe(host.calls.length);

    // Agent AI is back, but the calls behind the dead letter wait: sending them would reorder the conversation.
    host.answer = () => ({ kind: 'ok', status: 200 });
    await queue(store, 'other', FLOW.slice(0, 2));
    rig.dispatcher.notify('other');
    rig.dispatcher.notify('held');
    await rig.dispatcher.sweep();
    await clock.advance(10 * 60_000);
    expect(host.accepted('other')).toEqual(FLOW.slice(0, 2));
    expect(host.accepted('held')).toEqual([]);
    expect((await store.outboxFor('held')).filter((r) => r.status === 'pending')).toHaveLength(FLOW.length - 1);
    // Said once, not on every pass over the outbox.
    for (let i = 0; i < 5; i += 1) await rig.dispatcher.sweep();
    await clock.settle();
    expect(rig.logs.lines.filter((l) => l.includes('"event":"delivery.held_by_dead_letter"'))).toHaveLength(1);
    expect(rig.dispatcher.status()).toMatchObject({ heldByDeadLetter: 1 });

    // What `agentai-bridge dead-letters retry --all` does, then the daemon's sweep picks it up.
    expect(await store.retryDead('all', clock.now())).toBe(1);
    await rig.dispatcher.sweep();
    await clock.advance(1000);
    expect(host.accepted('held')).toEqual(FLOW);
    expect(await store.deadLetters()).toEqual([]);
  });

  it('dropping the blocking dead letter lets the rest of its conversation go, in order', async () => {
    const rig = startRig({ maxAgeMs: 60_000, circuit: { failures: 1000, probeBaseMs: 1000, probeMaxMs: 30_000 } });
    const { clock, host, store } = rig;
    host.answer = (c) => (c.label === 'NA entry A' ? DOWN : { kind: 'ok', status: 200 });
    await queue(store, 'held', FLOW);
    await rig.dispatcher.start();
    await clock.advance(10 * 60_000);
    const [dead] = await store.deadLetters();
    expect(dead?.blocking).toBe(true);
    expect(host.accepted('held')).toEqual([]);
    expect(await store.dropDead(dead?.id ?? -1)).toBe(true);
    await rig.dispatcher.sweep();
    await clock.advance(1000);
    expect(host.accepted('held')).toEqual(FLOW.slice(1));
  });

  it('a permanent rejection (4xx) is dead-lettered without holding the conversation back', async () => {
    const rig = startRig();
    const { clock, host, store } = rig;
    host.answer = (c) => (c.label === 'message USER 1' ? { kind: 'permanent', status: 400, error: 'HTTP 400: bad' } : { kind: 'ok', status: 200 });
    await queue(store, 'c', FLOW);
    await rig.dispatcher.start();
    await clock.advance(1000);
    expect(host.accepted('c')).toEqual(FLOW.filter((l) => l !== 'message USER 1'));
    const [dead] = await store.deadLetters();
    expect(dead).toMatchObject({ label: 'message USER 1', lastStatus: 400, attempts: 1 });
    expect(dead?.blocking).toBeUndefined();
  });
});
