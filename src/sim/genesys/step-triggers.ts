// Faults tied to the conversations' progress instead of the wall clock: an action fires once the Nth step
// (counted over every script played) has been published, so it lands at the same point of the conversations
// however loaded the machine is and however late the player's timers fire.
import type { SimScript } from './script.js';

/** How many steps of these plays the player schedules before wall-clock `atMs` (at least 1, at most all). */
export function stepsBefore(plays: readonly { readonly script: SimScript; readonly baseMs: number }[], speed: number, atMs: number): number {
  const times = plays.flatMap((p) => p.script.steps.map((s) => p.baseMs + s.offsetMs / speed));
  const before = times.filter((t) => t < atMs).length;
  return Math.min(Math.max(1, before), times.length);
}

export class StepTriggers {
  private count = 0;
  private pending: { readonly after: number; readonly fire: () => void }[] = [];

  /** Fires `fire` right after the `after`th step is published (at once if it already was). */
  after(after: number, fire: () => void): void {
    if (this.count >= after) fire();
    else this.pending.push({ after, fire });
  }

  /** Steps published so far. */
  get steps(): number {
    return this.count;
  }

  /** Pass as PlayOptions.onStep (of every play). */
  readonly onStep = (): void => {
    this.count += 1;
    const due = this.pending.filter((p) => p.after <= this.count);
    this.pending = this.pending.filter((p) => p.after > this.count);
    for (const p of due) p.fire();
  };
}
