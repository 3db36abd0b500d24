// Nothing stays open forever unnoticed: an open conversation with no new fact for `staleMs` (its end event
// lost, a topic that stopped delivering) is re-read from Genesys; if that brings nothing new it is re-read
// again `staleMs` later, not on every sweep. How many are stale is a gauge.
import type { Logger } from 'pino';
import type { OpenConversationView } from '../../../src/core/adapter.js';

export interface StaleSweepOptions {
  readonly staleMs: number;
  readonly open: () => Promise<OpenConversationView[]>;
  /** A reconcile pass is running: it re-reads everything open anyway. */
  readonly busy: () => boolean;
  readonly refresh: (platformConversationId: string) => Promise<boolean>;
  readonly logger: Logger;
  readonly onStale: (count: number) => void;
  readonly now?: () => number;
}

export class StaleSweep {
  private readonly lastRead = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(private readonly o: StaleSweepOptions) {}

  start(): void {
    const every = Math.max(50, Math.min(60_000, Math.floor(this.o.staleMs / 4)));
    this.timer = setInterval(() => void this.sweep(), every);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One sweep; returns how many conversations were re-read. */
  async sweep(): Promise<number> {
    if (this.running || this.o.busy()) return 0;
    this.running = true;
    try {
      const now = (this.o.now ?? Date.now)();
      const open = await this.o.open();
      const stale = open.filter((c) => now - c.updatedAt >= this.o.staleMs);
      this.o.onStale(stale.length);
      const due = stale.flatMap((c) => c.platformIds).filter((id) => now - (this.lastRead.get(id) ?? -Infinity) >= this.o.staleMs);
      for (const id of due) this.lastRead.set(id, now);
      if (due.length) this.o.logger.info({ conversations: due.length, staleMs: this.o.staleMs, event: 'genesys.stale_reread' }, 'genesys: re-reading open conversations with no news (GENESYS_STALE_RECONCILE_MS)');
      await Promise.all(due.map((id) => this.o.refresh(id)));
      // Forget what is no longer open.
      const openIds = new Set(open.flatMap((c) => c.platformIds));
      for (const id of this.lastRead.keys()) if (!openIds.has(id)) this.lastRead.delete(id);
      return due.length;
    } catch (err) {
      this.o.logger.warn({ err, event: 'genesys.stale_sweep_failed' }, 'genesys: stale sweep failed; trying again on the next one');
      return 0;
    } finally {
      this.running = false;
    }
  }
}
