// Issue 10 item 3: one order of facts. A snapshot showing agent A's blind-transfer exit and agent B's join at
// the same instant must give the same hooks in replay and live: cold exit A, then cold entry B.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ScriptPlayer } from '../../src/sim/genesys/player.js';
import { scriptFromJsonl } from '../../src/sim/genesys/script.js';
import { USERS } from '../fixtures/genesys/scenarios.js';
import { labelsByConversation, replayTexts, startRig, waitForEnds, type LiveRig } from './helpers.js';
import { SAME_INSTANT_CONVERSATION, SAME_INSTANT_FIXTURE, sameInstantLines } from './same-instant-fixture.js';

const EXPECTED = [
  `NA entry ${USERS.alice.id}`,
  `cold exit ${USERS.alice.id}`,
  `cold entry ${USERS.bob.id}`,
  `NA exit ${USERS.bob.id}`,
  'TRIGGER_SUMMARY_EVENT',
  'END_OF_CONVERSATION',
];

let rig: LiveRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('one fact order for replay and live', () => {
  it('the fixture file is what its generator builds', () => {
    const expected = `${sameInstantLines().join('\n')}\n`;
    if (process.env.GENESYS_WRITE_FIXTURES === '1') writeFileSync(SAME_INSTANT_FIXTURE, expected);
    expect(readFileSync(SAME_INSTANT_FIXTURE, 'utf8')).toBe(expected);
  });

  it('exit and join at the same instant: cold exit A, cold entry B, in replay and live', async () => {
    const text = readFileSync(SAME_INSTANT_FIXTURE, 'utf8');
    const replay = await replayTexts([text]);
    expect(replay.get(SAME_INSTANT_CONVERSATION)).toEqual(EXPECTED);

    rig = await startRig(40);
    await new ScriptPlayer(rig.sim).play(scriptFromJsonl('same-instant', text), { speed: 40 });
    await waitForEnds(rig.h, [SAME_INSTANT_CONVERSATION]);
    await rig.adapter.idle();
    await rig.h.bridge.dispatcher.whenIdle();
    expect(labelsByConversation(rig.h).get(SAME_INSTANT_CONVERSATION)).toEqual(EXPECTED);
  }, 30_000);
});
