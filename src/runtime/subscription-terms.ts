// The adapters only the lease holder runs (singleSubscriber: the Genesys channels): one adapter instance per
// leadership term, started when the term begins and stopped when it ends. Their facts carry the term's fence
// and are dropped here as soon as the term is no longer valid (the store refuses them after that anyway).
// A new term's start is the catch-up: the adapter reconciles what happened while nobody was subscribed.
import type { Logger } from 'pino';
import type { Adapter, AdapterHealth, FactSink, OutboxCompleter } from '../core/adapter.js';
import type { Fact } from '../core/facts.js';
import type { SummaryWriter } from '../summary/writer.js';
import type { AdapterDeps, AdapterModule } from './adapter-module.js';
import type { Bridge } from './bridge.js';
import type { Leadership, Term } from './leadership.js';

/** The visibility reason a follower's led sources carry: their timers wait for the leader. */
export const FOLLOWER = 'follower: another replica holds the subscription';

export interface LedModule {
  readonly module: AdapterModule;
  readonly deps: AdapterDeps;
  /** The instance made at start (writers and completers use it); the first term runs it. */
  readonly first: Adapter;
}

export interface SubscriptionTermsDeps {
  readonly modules: readonly LedModule[];
  readonly bridge: Bridge;
  readonly logger: Logger;
  readonly leadership: () => Leadership | undefined;
  readonly summaryWriters: Map<string, SummaryWriter>;
  readonly completers: Map<string, OutboxCompleter>;
  /** An adapter refused to start for a reason that will not heal (credentials): the daemon stops. */
  readonly onFatal: (err: Error) => void;
}

export class SubscriptionTerms {
  private running: Adapter[] = [];
  private term: Term | undefined;
  private terms = 0;

  constructor(private readonly deps: SubscriptionTermsDeps) {
    for (const m of deps.modules) deps.bridge.visibility.forSource(m.module.name).blind(FOLLOWER);
  }

  names(): string[] {
    return this.deps.modules.map((m) => m.module.name);
  }

  /** Subscribed: a term is running and every adapter of it is connected. */
  subscribed(): boolean {
    return this.running.length === this.deps.modules.length && this.running.length > 0 && this.running.every((a) => a.health().connected);
  }

  health(): Record<string, AdapterHealth> {
    return Object.fromEntries(this.running.map((a) => [a.name, a.health()]));
  }

  async elected(term: Term): Promise<void> {
    const { bridge, logger } = this.deps;
    // The term may have ended while the previous one was still stopping.
    if (this.deps.leadership()?.current() !== term) return;
    const first = this.terms === 0;
    this.terms += 1;
    this.running = this.deps.modules.map((m) => (first ? m.first : this.fresh(m)));
    for (const m of this.deps.modules) bridge.visibility.forSource(m.module.name).sees(FOLLOWER);
    const sink = this.fencedSink(term);
    this.term = term;
    try {
      for (const a of [...this.running]) {
        // Deposed while an earlier adapter was starting: the rest of this term does not start.
        if (this.term !== term) return;
        await a.start({
          sink,
          logger: logger.child({ adapter: a.name, epoch: term.epoch }),
          now: Date.now,
          visibility: bridge.visibility.forSource(a.name),
          state: bridge.adapterState(a.name),
        });
        // Deposed while it was connecting: a start that raced its stop may have opened sockets after it.
        if (this.term !== term) {
          await a.stop().catch((err: unknown) => logger.error({ err, adapter: a.name, event: 'adapter.stop_failed' }, 'adapter stop failed'));
          return;
        }
      }
    } catch (err) {
      this.deps.onFatal(err instanceof Error ? err : new Error(String(err)));
    }
  }

  async deposed(): Promise<void> {
    const stopping = this.running;
    this.running = [];
    this.term = undefined;
    for (const m of this.deps.modules) this.deps.bridge.visibility.forSource(m.module.name).blind(FOLLOWER);
    await Promise.all(stopping.map((a) => a.stop().catch((err: unknown) => this.deps.logger.error({ err, adapter: a.name, event: 'adapter.stop_failed' }, 'adapter stop failed'))));
  }

  /** A later term gets a new instance (an adapter runs once); writers and completers follow it. */
  private fresh(m: LedModule): Adapter {
    const createAdapter = m.module.createAdapter;
    if (!createAdapter) return m.first;
    const adapter = createAdapter(m.deps);
    const writer = m.module.createSummaryWriter?.(m.deps, adapter);
    if (writer) this.deps.summaryWriters.set(m.module.name, writer);
    const completer = m.module.createOutboxCompleter?.(m.deps, adapter);
    if (completer) this.deps.completers.set(m.module.name, completer);
    return adapter;
  }

  private fencedSink(term: Term): FactSink {
    return {
      ingest: async (fact: Fact) => {
        if (this.deps.leadership()?.current() !== term) return 'ignored';
        return this.deps.bridge.pipeline.ingest(fact, term.fence);
      },
    };
  }
}
