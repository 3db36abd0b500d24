// Dead letters expire BRIDGE_DEAD_LETTER_RETENTION_HOURS after delivery gave up on them: warned about once a
// day before, then removed, counted, and (a blocking one) with the calls it held back, so the conversation is
// not left waiting for a letter that is gone.
import { describe, expect, it } from 'vitest';
import { initialState } from '../../src/core/conversation-state.js';
import { createLogger } from '../../src/observability/logger.js';
import { BridgeMetrics } from '../../src/observability/metrics.js';
import { DeadLetterExpiry } from '../../src/runtime/dead-letter-expiry.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/types.js';
import { calls, gauge } from '../delivery/rig.js';
import { LineCollector } from '../helpers/harness.js';
import { seedRecord } from '../helpers/store-seed.js';

const HOUR = 3_600_000;
const T0 = 1_700_000_000_000;

async function deadLetter(store: Store, id: string, labels: string[], blocking: boolean, at: number): Promise<number> {
  await seedRecord(store, { id, bot: 'default', source: 'test', state: { ...initialState(), phase: 'open' } }, calls(id, labels));
  const [first] = await store.outboxFor(id);
  await store.record([{ claim: { conversationId: id, fence: 0 }, update: { id: first!.id, status: 'dead', reason: 'gave up', blocking, at } }]);
  return first!.id;
}

function setup(retentionHours: number) {
  let t = T0;
  const store = openSqliteStore({ path: ':memory:', now: () => t });
  const logs = new LineCollector();
  const metrics = new BridgeMetrics({ defaults: false });
  const expiry = new DeadLetterExpiry({ store, logger: createLogger({ level: 'info', destination: logs, pretty: false }), metrics, retentionHours, now: () => t });
  const events = (name: string) => logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.event === name);
  return { store, logs, metrics, expiry, events, advance: (ms: number) => void (t += ms), now: () => t };
}

describe('dead-letter expiry', () => {
  it('warns once within a day of expiry, then removes the letter at its time, logged and counted', async () => {
    const s = setup(720);
    const id = await deadLetter(s.store, 'c1', ['NA entry A'], false, T0);
    expect(await s.expiry.sweep()).toBe(0);
    expect(s.events('dead_letter.expiring')).toEqual([]);
    s.advance(697 * HOUR);
    await s.expiry.sweep();
    await s.expiry.sweep();
    const warnings = s.events('dead_letter.expiring');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 'warn', conversationId: 'c1', outboxId: id, expiresAt: new Date(T0 + 720 * HOUR).toISOString() });
    expect((await s.store.deadLetters()).length).toBe(1);
    s.advance(23 * HOUR + 1);
    expect(await s.expiry.sweep()).toBe(1);
    expect(await s.store.deadLetters()).toEqual([]);
    expect(s.events('dead_letter.expired')[0]).toMatchObject({ level: 'info', conversationId: 'c1', outboxId: id, blocking: false, queuedRemoved: 0 });
    expect(await gauge(s.metrics, 'bridge_dead_letters_expired_total')).toBe(1);
    // Customer text never reaches the log.
    expect(s.logs.lines.join('\n')).not.toContain('seq');
  });

  it('releases the conversation a blocking letter held: the calls behind it go with it', async () => {
    const s = setup(1);
    await deadLetter(s.store, 'c1', ['NA entry A', 'message USER', 'END_OF_CONVERSATION'], true, T0);
    expect((await s.store.head('c1'))?.status).toBe('dead');
    s.advance(HOUR + 1);
    expect(await s.expiry.sweep()).toBe(1);
    expect(s.events('dead_letter.expired')[0]).toMatchObject({ blocking: true, queuedRemoved: 2 });
    expect(await s.store.head('c1')).toBeUndefined();
    expect(await s.store.outboxFor('c1')).toEqual([]);
  });

  it('keeps dead letters forever at 0', async () => {
    const s = setup(0);
    await deadLetter(s.store, 'c1', ['NA entry A'], false, T0);
    s.advance(10_000 * HOUR);
    expect(await s.expiry.sweep()).toBe(0);
    expect((await s.store.deadLetters()).length).toBe(1);
  });
});
