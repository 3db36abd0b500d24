// Recorded frames through a bridge on the frames' own clock: the replay command and the live tests'
// reference run share this, so "what replay does" is defined once.
import type { IngestOutcome } from '../core/adapter.js';
import type { FrameDecoder } from './adapter-module.js';
import type { Bridge } from './bridge.js';
import { BridgeError } from '../errors.js';

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
export class MalformedLineError extends BridgeError {
  constructor(message: string) {
    super('REPLAY_MALFORMED_LINE', message);
    this.name = 'MalformedLineError';
  }
}

export interface FedFrame {
  /** Settle once each fact is committed: frames are fed without waiting, so facts of many frames commit together. */
  readonly outcomes: readonly Promise<{ conversationId: string; outcome: IngestOutcome }>[];
  readonly warnings: readonly string[];
}

/** One recorded line: decode (throws on a malformed line), fire timers due before it, hand its facts in. */
export async function feedFrame(bridge: Bridge, decoder: FrameDecoder, clock: FrameClock, text: string): Promise<FedFrame> {
  let decoded;
  try {
    decoded = decoder.decode(text);
  } catch (err) {
    throw new MalformedLineError(err instanceof Error ? err.message : String(err));
  }
  // Timers due before this frame fire before its facts, as they would have live.
  if (decoded.time !== undefined && clock.advance(decoded.time)) await bridge.pipeline.fireDue(clock.now());
  const outcomes = decoded.facts.map(async (fact) => ({ conversationId: fact.conversationId, outcome: await bridge.pipeline.ingest(fact) }));
  return { outcomes, warnings: decoded.warnings };
}

/** End of input: lets every settle and redial window run out, in order, then waits for delivery. */
export async function finishReplay(bridge: Bridge, clock: FrameClock): Promise<void> {
  for (let wake = await bridge.pipeline.nextWake(); wake !== undefined; wake = await bridge.pipeline.nextWake()) {
    clock.advance(wake);
    if ((await bridge.pipeline.fireDue(Math.max(clock.now(), wake))) === 0) break;
  }
  await bridge.dispatcher.whenIdle();
}
