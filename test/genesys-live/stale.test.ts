// Nothing stays open forever unnoticed: when the events that end a conversation never arrive (no socket drop,
// so no gap to reconcile), the conversation is re-read after GENESYS_STALE_RECONCILE_MS and ends.
import { afterEach, describe, expect, it } from 'vitest';
import { ScriptPlayer } from '../../src/sim/genesys/player.js';
import { rebase } from '../../src/sim/genesys/script.js';
import { CONVERSATIONS } from '../fixtures/genesys/scenarios.js';
import { fixtureScript, replayReference, startRig, waitForEnds, type LiveRig } from './helpers.js';

const SPEED = 40;
let rig: LiveRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('stale open conversations', () => {
  it('are re-read from Genesys when their end never arrives', async () => {
    const reference = await replayReference(['standard']);
    rig = await startRig(SPEED, { GENESYS_STALE_RECONCILE_MS: '1000' });
    const r = rig;
    const script = fixtureScript('standard');
    const base = Date.now();
    await new ScriptPlayer(r.sim).play({ ...script, steps: script.steps.slice(0, 4) }, { speed: SPEED, baseMs: base });
    // The org moves on, but these notifications are lost: nobody receives them.
    for (const step of script.steps.slice(4)) r.sim.org.record(rebase(step.body, script.startMs, base, SPEED));
    await waitForEnds(r.h, reference.keys(), 15_000);
    expect(r.h.fake.labels(CONVERSATIONS.standard)).toEqual(reference.get(CONVERSATIONS.standard));
    expect(r.h.logs.lines.some((l) => l.includes('"event":"genesys.stale_reread"'))).toBe(true);
    const reconciled = await r.h.bridge.metrics.reconciled.get();
    expect(reconciled.values.reduce((n, v) => n + v.value, 0)).toBeGreaterThanOrEqual(1);
  }, 30_000);
});
