// How an adapter package presents itself to the composition root (bin/): a name, its config section, a live
// adapter factory and, for platforms whose input can be recorded (Genesys frames), a decoder used by
// `agentai-bridge replay`.
import type { Logger } from 'pino';
import type { Adapter, OutboxCompleter } from '../core/adapter.js';
import type { Fact } from '../core/facts.js';
import type { BridgeConfig } from '../config/load.js';
import type { ConfigModule } from '../config/fragment.js';
import type { BridgeMetrics } from '../observability/metrics.js';
import type { SummaryWriter } from '../summary/writer.js';

export interface DecodedFrame {
  readonly facts: readonly Fact[];
  /** The platform time the frame speaks of (epoch ms): the replay clock. */
  readonly time?: number;
  readonly warnings: readonly string[];
}

/** Turns one recorded line into facts. Throws an Error with a readable message when the line is malformed. */
export interface FrameDecoder {
  decode(text: string): DecodedFrame;
}

export interface AdapterDeps {
  readonly config: BridgeConfig;
  readonly logger: Logger;
  readonly metrics: BridgeMetrics;
  readonly now: () => number;
}

export interface AdapterModule extends ConfigModule {
  readonly name: string;
  /**
   * Its live adapter holds a platform subscription that only one process of a cluster may hold (Genesys
   * channels, budgeted per OAuth client). Under BRIDGE_STORE=postgres only the lease holder runs it; adapters
   * without it (webhooks) run on every replica.
   */
  readonly singleSubscriber?: boolean;
  createAdapter?(deps: AdapterDeps): Adapter;
  createFrameDecoder?(deps: AdapterDeps): FrameDecoder;
  /** Where summaries of this platform's conversations are written back (issue: summaries), if anywhere. */
  createSummaryWriter?(deps: AdapterDeps, adapter: Adapter): SummaryWriter | undefined;
  /** What fills in this platform's hook bodies at send time (names, message text), if anything. */
  createOutboxCompleter?(deps: AdapterDeps, adapter: Adapter): OutboxCompleter | undefined;
}
