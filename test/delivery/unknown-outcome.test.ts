// No false "outcome unknown": a call is marked in flight only once it has a delivery slot, so a process
// killed while an END_OF_CONVERSATION waited for one leaves it pending, and the next start sends it. An
// END_OF_CONVERSATION that really was on the wire is kept as a dead letter, with the right attempt count,
// counted by reason and shown on /status.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/types.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { queue, startRig } from './rig.js';

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function fileStore(path: string, clock: FakeClock): Store {
  const s = openSqliteStore({ path, now: clock.now });
  stores.push(s);
  return s;
}

describe('a kill while calls wait', () => {
  it('leaves an END_OF_CONVERSATION that waited for a delivery slot pending; the next start sends it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slot-kill-'));
    dirs.push(dir);
    const path = join(dir, 'bridge.sqlite');
    // One delivery slot, held by a call Agent AI takes its time over.
    const before = startRig({ maxInFlight: 1 }, fileStore(path, new FakeClock()));
    before.host.latencyMs = 60_000;
    await queue(before.store, 'on-the-wire', ['END_OF_CONVERSATION']);
    await before.dispatcher.start();
    await before.clock.advance(10);
    await queue(before.store, 'waiting', ['END_OF_CONVERSATION']);
    before.dispatcher.notify('waiting');
    await before.clock.advance(10);
    expect(before.dispatcher.status()).toMatchObject({ inFlight: 1, waitingForSlot: 1 });
    expect(before.host.calls).toHaveLength(0); // the first call is still on the wire

    // SIGKILL: nothing more happens in that process. What the file holds is what the next start finds.
    const after = startRig({ maxInFlight: 1 }, fileStore(path, new FakeClock(before.clock.now() + 5_000)));
    const [waiting] = await after.store.outboxFor('waiting');
    expect(waiting).toMatchObject({ status: 'pending', attempts: 0 });
    const [wire] = await after.store.outboxFor('on-the-wire');
    expect(wire).toMatchObject({ status: 'inflight', attempts: 1 });

    await after.dispatcher.start();
    await after.clock.advance(1000);
    // A file store's marks wait for a real flush of its write-ahead log, which the test clock does not step.
    await after.dispatcher.whenIdle();
    expect(after.host.accepted('waiting')).toEqual(['END_OF_CONVERSATION']);
    // The one that was on the wire may have reached Agent AI: not resent (DELIVERY_EOC_ON_UNKNOWN_OUTCOME=skip).
    expect(after.host.tried('on-the-wire')).toEqual([]);
    const dead = await after.store.deadLetters();
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ conversationId: 'on-the-wire', label: 'END_OF_CONVERSATION', attempts: 1 });
    expect(dead[0]?.lastError).toMatch(/outcome unknown.*stopped while the call was in flight/);

    // Visible by reason: the metric and /status (the dispatcher's status is what /status shows).
    const counted = (await after.metrics.registry.getSingleMetric('bridge_dead_letters_total')?.get())?.values ?? [];
    expect(counted).toEqual([expect.objectContaining({ labels: { event: 'end', reason: 'unknown-outcome' }, value: 1 })]);
    const status = after.dispatcher.status() as { recentDeadLetters: { conversationId: string; cause: string; reason: string; attempts: number }[] };
    expect(status.recentDeadLetters).toEqual([
      expect.objectContaining({ conversationId: 'on-the-wire', cause: 'unknown-outcome', attempts: 1, reason: expect.stringMatching(/outcome unknown/) }),
    ]);
  });

  it('counts attempts in a dead letter exactly: one per request that went out', async () => {
    const rig = startRig({ maxAttempts: 4, circuit: { failures: 100, probeBaseMs: 1000, probeMaxMs: 30_000 } });
    rig.host.answer = () => ({ kind: 'retry', status: 500, error: 'HTTP 500' });
    await queue(rig.store, 'c', ['NA entry A', 'END_OF_CONVERSATION']);
    await rig.dispatcher.start();
    await rig.clock.advance(10 * 60_000);
    const [dead] = await rig.store.deadLetters();
    expect(rig.host.tried('c')).toEqual(['NA entry A', 'NA entry A', 'NA entry A', 'NA entry A']);
    expect(dead).toMatchObject({ label: 'NA entry A', attempts: 4, lastStatus: 500 });
    expect(dead?.lastError).toMatch(/gave up after 4 attempts/);
  });
});
