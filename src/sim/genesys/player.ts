// Plays scripts on a simulated org in real time, `speed` times faster than the scenario's own clock.
// Every payload is re-based (script.ts) so the times the bridge reads agree with the wall clock: settle
// and redial windows then behave as they would live, once they are divided by the same speed. The clock is
// the org's (GenesysSimOptions.clock), so a test that steps the org's time steps the script with it; faults
// are best tied to steps (`onStep`), not to times, so they land at the same point of a conversation however
// loaded the machine is.
import type { GenesysSim } from './server.js';
import { latestTime, rebase, type SimScript } from './script.js';
import type { Clock } from '../../util/timers.js';

export interface PlayedStep {
  readonly script: string;
  readonly topic: string;
  readonly conversationId: string | undefined;
  readonly note: string | undefined;
  /** Index of the step in its script. */
  readonly index: number;
  /** Wall-clock epoch ms it was published. */
  readonly at: number;
  /** Latest platform time its payload speaks of (after re-basing), if any: what the bridge's store will have seen. */
  readonly platformAt: number | undefined;
  /** Channels it reached (0 = nobody was subscribed and connected). */
  readonly delivered: number;
}

export interface PlayOptions {
  readonly speed: number;
  /** Wall-clock epoch ms the script's start maps to (default: now). */
  readonly baseMs?: number;
  /**
   * Payload times are this far from the wall clock (default 0): a negative value plays a platform whose clock
   * lags (or frames delivered late), e.g. months in the past; publishing still follows the wall clock.
   */
  readonly platformOffsetMs?: number;
  readonly onStep?: (step: PlayedStep) => void;
}

export class ScriptPlayer {
  private readonly timers = new Set<unknown>();
  private readonly clock: Clock;
  readonly played: PlayedStep[] = [];

  constructor(private readonly sim: GenesysSim) {
    this.clock = sim.clock;
  }

  /** Schedules every step; resolves after the last one is published. */
  play(script: SimScript, options: PlayOptions): Promise<void> {
    const base = options.baseMs ?? this.clock.now();
    const platformBase = base + (options.platformOffsetMs ?? 0);
    const steps = script.steps.map((step) => ({
      ...step,
      body: rebase(step.body, script.startMs, platformBase, options.speed),
      messages: step.messages?.map((m) => rebase(m, script.startMs, platformBase, options.speed)),
      wallAt: base + step.offsetMs / options.speed,
    }));
    return new Promise((resolve) => {
      let index = 0;
      // Steps are published strictly in script order, each no earlier than its time.
      const next = (): void => {
        const step = steps[index];
        if (!step) {
          resolve();
          return;
        }
        const timer = this.clock.setTimeout(() => {
          this.timers.delete(timer);
          if (step.messages) this.sim.org.addMessages(step.messages);
          const delivered = this.sim.publish(step.topic, step.body);
          const id = step.body.id ?? step.body.conversationId;
          const played: PlayedStep = { script: script.name, index, topic: step.topic, conversationId: typeof id === 'string' ? id : undefined, note: step.note, at: this.clock.now(), platformAt: latestTime(step.body), delivered };
          this.played.push(played);
          options.onStep?.(played);
          index += 1;
          next();
        }, Math.max(0, step.wallAt - this.clock.now()));
        this.timers.add(timer);
      };
      next();
    });
  }

  stop(): void {
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers.clear();
  }
}
