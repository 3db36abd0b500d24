// Recorded frames through a bridge on the frames' own clock: the replay command and the live tests'
// reference run share this, so "what replay does" is defined once.
import type { IngestOutcome } from '../core/adapter.js';
import type { FrameDecoder } from './adapter-module.js';
import type { Bridge } from './bridge.js';

/** The replay clock: the latest platform time seen in the frames (0 until the first timed frame). */
export class FrameClock {
  private t = 0;
  readonly now = (): number => this.t || Date.now();
  advance(to: number): boolean {
    if (to <= this.t) return false;
    this.t = to;
    return true;
  }
}

/** The line could not be decoded; anything else thrown while feeding it is a real failure. */
export class MalformedLineError extends Error {
  override readonly name = 'MalformedLineError';
}

export interface FedFrame {
  readonly outcomes: readonly { conversationId: string; outcome: IngestOutcome }[];
  readonly warnings: readonly string[];
}

/** One recorded line: decode (throws on a malformed line), fire timers due before it, ingest its facts. */
export async function feedFrame(bridge: Bridge, decoder: FrameDecoder, clock: FrameClock, text: string): Promise<FedFrame> {
  let decoded;
  try {
    decoded = decoder.decode(text);
  } catch (err) {
    throw new MalformedLineError((err as Error).message);
  }
  if (decoded.time !== undefined && clock.advance(decoded.time)) bridge.pipeline.fireDue(clock.now());
  const outcomes = [];
  for (const fact of decoded.facts) outcomes.push({ conversationId: fact.conversationId, outcome: await bridge.pipeline.ingest(fact) });
  return { outcomes, warnings: decoded.warnings };
}

/** End of input: lets every settle and redial window run out, in order, then waits for delivery. */
export async function finishReplay(bridge: Bridge, clock: FrameClock): Promise<void> {
  for (let wake = bridge.pipeline.nextWake(); wake !== undefined; wake = bridge.pipeline.nextWake()) {
    clock.advance(wake);
    if (bridge.pipeline.fireDue(Math.max(clock.now(), wake)) === 0) break;
  }
  await bridge.dispatcher.whenIdle();
}
