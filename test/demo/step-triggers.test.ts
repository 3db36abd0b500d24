// Faults of the demo and the chaos test fire on the conversations' steps, not on the wall clock.
import { describe, expect, it } from 'vitest';
import { StepTriggers, stepsBefore } from '../../src/sim/genesys/step-triggers.js';
import type { SimScript } from '../../src/sim/genesys/script.js';

const script = (offsets: number[]): SimScript => ({ name: 's', startMs: 0, steps: offsets.map((offsetMs) => ({ offsetMs, topic: 't', body: {} })) });

describe('step triggers', () => {
  it('count the steps planned before a time over every play, at the play speed, at least one and at most all', () => {
    const plays = [
      { script: script([0, 1000, 2000]), baseMs: 10_000 },
      { script: script([0, 1000]), baseMs: 10_050 },
    ];
    // At speed 10: 10000, 10100, 10200 and 10050, 10150.
    expect(stepsBefore(plays, 10, 10_120)).toBe(3);
    expect(stepsBefore(plays, 10, 0)).toBe(1);
    expect(stepsBefore(plays, 10, 99_999)).toBe(5);
  });

  it('fire each action once, right after its step, however late the steps come', () => {
    const triggers = new StepTriggers();
    const fired: string[] = [];
    triggers.after(2, () => fired.push(`a@${triggers.steps}`));
    triggers.after(2, () => fired.push(`b@${triggers.steps}`));
    triggers.after(3, () => fired.push(`c@${triggers.steps}`));
    triggers.onStep();
    expect(fired).toEqual([]);
    triggers.onStep();
    triggers.onStep();
    triggers.onStep();
    expect(fired).toEqual(['a@2', 'b@2', 'c@3']);
    triggers.after(1, () => fired.push('late'));
    expect(fired.at(-1)).toBe('late');
  });
});
