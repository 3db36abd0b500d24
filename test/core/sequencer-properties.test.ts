// Invariants of the sequencer over random fact sequences (duplicates and facts after the end included).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Intent } from '../../src/core/intents.js';
import { customerLeft, ended, everyoneLeft, joined, left, run, said, settings, T0, tick } from './fact-builders.js';
import { initialState, step, type SequencerInput } from '../../src/core/sequencer.js';
import { runs } from '../helpers/property-runs.js';

const agents = ['A', 'B', 'C'] as const;
const legs = ['1', '2'] as const;

const factArb: fc.Arbitrary<(s: number) => SequencerInput> = fc.oneof(
  fc.record({ who: fc.constantFrom(...agents), leg: fc.constantFrom(...legs), via: fc.constantFrom('routing', 'consult', 'callback', 'outbound') as fc.Arbitrary<'routing'> })
    .map(({ who, leg, via }) => (s: number) => joined(s, who, `${who}-${leg}`, via)),
  fc.record({ who: fc.constantFrom(...agents), leg: fc.constantFrom(...legs), reason: fc.constantFrom('transfer', 'consult', 'conference', 'hangup', 'dropped') as fc.Arbitrary<'hangup'> })
    .map(({ who, leg, reason }) => (s: number) => left(s, who, reason, `${who}-${leg}`)),
  fc.constantFrom('hangup', 'dropped').map((r) => (s: number) => customerLeft(s, r as 'hangup')),
  fc.constantFrom('hangup', 'dropped').map((r) => (s: number) => everyoneLeft(s, r as 'hangup')),
  fc.constantFrom('USER', 'AGENT').map((a) => (s: number) => said(s, a as 'USER', 'text')),
  fc.constant((s: number) => ended(s)),
  fc.constant((s: number) => tick(s)),
);

/** A timeline: random facts at non-decreasing times, some repeated verbatim (a duplicate delivery). */
const timelineArb = fc
  .array(fc.tuple(factArb, fc.integer({ min: 0, max: 40 }), fc.boolean()), { maxLength: 40 })
  .map((items) => {
    let s = 0;
    const inputs: SequencerInput[] = [];
    for (const [make, gap, duplicate] of items) {
      s += gap;
      const input = make(s);
      inputs.push(input);
      if (duplicate) inputs.push(input);
    }
    return inputs;
  });

/** The store drops a fact whose dedupeKey it has seen; the sequencer sees each key once. */
function deduped(inputs: SequencerInput[]): SequencerInput[] {
  const seen = new Set<string>();
  return inputs.filter((i) => i.type === 'timer' || (!seen.has(i.dedupeKey) && (seen.add(i.dedupeKey), true)));
}

function checkInvariants(intents: Intent[]): void {
  const open = new Set<string>();
  let entered = false;
  let ended = false;
  let naEntries = 0;
  intents.forEach((intent, index) => {
    expect(ended, `nothing after END_OF_CONVERSATION (at ${index})`).toBe(false);
    if (index === 0) expect(intent.kind === 'transfer' && intent.transition === 'entry', 'starts with an entry').toBe(true);
    switch (intent.kind) {
      case 'transfer': {
        const id = intent.agent.identity;
        if (intent.transition === 'entry') {
          expect(open.has(id), `${id} entered twice without an exit`).toBe(false);
          open.add(id);
          entered = true;
          if (intent.transferType === 'NA') naEntries += 1;
        } else {
          expect(open.has(id), `${id} exited without an entry`).toBe(true);
          open.delete(id);
          if (intent.transferType === 'NA') expect(open.size, 'NA exit only for the last agent').toBe(0);
        }
        break;
      }
      case 'message':
        expect(entered, 'messages only after the first entry').toBe(true);
        break;
      case 'summary': {
        const prev = intents[index - 1];
        const next = intents[index + 1];
        expect(open.size, 'summary only with no agent in').toBe(0);
        expect(prev?.kind === 'transfer' && prev.transferType === 'NA' && prev.transition === 'exit' || prev?.kind === 'message', 'summary after the final NA exit').toBe(true);
        expect(next?.kind, 'summary immediately before EOC').toBe('end');
        break;
      }
      case 'end':
        expect(open.size, 'every entry has its exit before EOC').toBe(0);
        ended = true;
        break;
    }
  });
  expect(naEntries).toBeLessThanOrEqual(1);
}

describe('sequencer invariants (fast-check)', () => {
  it('hold for any fact sequence', () => {
    fc.assert(fc.property(timelineArb, (inputs) => checkInvariants(run(deduped(inputs)).intents)), { numRuns: runs(2000) });
  });

  it('is deterministic: the same inputs give the same intents', () => {
    fc.assert(fc.property(timelineArb, (inputs) => {
      expect(run(deduped(inputs)).intents).toEqual(run(deduped(inputs)).intents);
    }), { numRuns: runs(300) });
  });

  it('never changes the state it is given: a fact that is not committed leaves the stored state as it was', () => {
    fc.assert(fc.property(timelineArb, (inputs) => {
      let state = initialState();
      for (const input of deduped(inputs)) {
        const before = JSON.stringify(state);
        const next = step(state, input, settings).state;
        expect(JSON.stringify(state)).toBe(before);
        state = next;
      }
    }), { numRuns: runs(300) });
  });

  it('a join or leave of a leg delivered again under another key changes nothing', () => {
    fc.assert(fc.property(timelineArb, (inputs) => {
      const once = deduped(inputs);
      const twice = once.flatMap((i): SequencerInput[] => (i.type === 'agent.joined' || i.type === 'agent.left' ? [i, { ...i, dedupeKey: `${i.dedupeKey}-again` }] : [i]));
      expect(run(twice).intents).toEqual(run(once).intents);
    }), { numRuns: runs(1000) });
  });

  it('"everyone left" is the same as each agent still there leaving, leg by leg, in the order they joined', () => {
    fc.assert(fc.property(timelineArb, (inputs) => {
      const d = deduped(inputs);
      // What an adapter that remembered every join would have sent instead: the sequencer's own active list.
      let state = initialState();
      const named: SequencerInput[] = [];
      for (const input of d) {
        while (state.wakeAt !== undefined && state.wakeAt <= input.at && input.type !== 'timer') state = step(state, { type: 'timer', at: state.wakeAt }, settings).state;
        // With nobody there it changes nothing (kept as it is, so the timeline's timers fire at the same inputs).
        const expanded: SequencerInput[] = input.type === 'agents.left' && state.active.length > 0
          ? state.active.flatMap((a) => a.legs.map((leg): SequencerInput => ({ ...input, type: 'agent.left', dedupeKey: `${input.dedupeKey}-${leg}`, leg, agent: a.agent })))
          : [input];
        for (const e of expanded) state = step(state, e, settings).state;
        named.push(...expanded);
      }
      expect(run(d).intents).toEqual(run(named).intents);
    }), { numRuns: runs(1000) });
  });

  it('once every platform conversation has ended and the windows have passed, END_OF_CONVERSATION was sent exactly once (if anyone entered)', () => {
    fc.assert(fc.property(timelineArb, (inputs) => {
      const d = deduped(inputs);
      const lastAt = d.reduce((m, i) => Math.max(m, i.at), T0);
      const seconds = (lastAt - T0) / 1000;
      const { intents, state } = run([...d, ended(seconds + 1), tick(seconds + 1000)]);
      const ends = intents.filter((i) => i.kind === 'end').length;
      expect(state.phase).toBe('closed');
      expect(ends).toBe(intents.length > 0 ? 1 : 0);
      if (ends === 1) expect(intents[intents.length - 1]?.kind).toBe('end');
      expect(intents.filter((i) => i.kind === 'summary').length).toBe(ends && settings.summary ? 1 : 0);
    }), { numRuns: runs(2000) });
  });
});
