// The store refusing a fact (disk full) must not lose it: the adapter re-reads the conversation from Genesys
// and the store's dedupe drops what was already applied, so Agent AI still sees the exact sequence. A consult:
// losing the consultant's exit would turn the primary's hang-up into a warm exit (the test fails that way).
import { describe, expect, it } from 'vitest';
import type { Fact } from '../../src/core/facts.js';
import { ScriptPlayer } from '../../src/sim/genesys/player.js';
import { createGenesysLiveAdapter } from '../../adapters/genesys/live/index.js';
import { startHarness } from '../helpers/harness.js';
import { fixtureScript, labelsByConversation, liveEnv, logEvents, replayReference, startSim, waitForEnds } from './helpers.js';
import { standaloneContext } from '../../src/runtime/standalone-context.js';

const SPEED = 80;

describe('live adapter: a failing store', () => {
  it('re-reads the conversation and delivers the exact sequence once the store accepts facts again', async () => {
    const reference = await replayReference(['consult-cancelled']);
    const sim = await startSim();
    const h = await startHarness(liveEnv(sim, SPEED));
    const logger = h.bridge.logger.child({ adapter: 'genesys' });
    const adapter = createGenesysLiveAdapter({ config: h.config, logger, metrics: h.bridge.metrics, now: Date.now });
    let refused = 0;
    const sink = {
      ingest: async (fact: Fact) => {
        if (fact.type === 'agent.left' && refused === 0) {
          refused += 1;
          throw new Error('SQLITE_FULL: database or disk is full');
        }
        return h.bridge.pipeline.ingest(fact);
      },
    };
    try {
      await adapter.start(standaloneContext('genesys', sink, logger, { visibility: h.bridge.visibility }));
      await new ScriptPlayer(sim).play(fixtureScript('consult-cancelled'), { speed: SPEED });
      await waitForEnds(h, reference.keys(), 20_000);
      await h.bridge.dispatcher.whenIdle();
      expect(refused).toBe(1);
      const live = labelsByConversation(h);
      for (const [id, labels] of reference) expect(live.get(id), id).toEqual(labels);
      expect(logEvents(h, 'genesys.facts_not_stored').length).toBe(1);
      expect(h.fake.violations()).toEqual([]);
    } finally {
      await adapter.stop();
      await h.close();
      await sim.close();
    }
  }, 40_000);
});
