// Which conversations a source cannot see right now. A settle, transfer-settle or redial window must not expire
// on missing information: while a source's socket is down, while it catches up after a start, or while one of
// its conversations is being re-read, their timers wait (they fire, late but right, once the source sees again).
import type { SourceVisibility } from '../core/adapter.js';

export class Visibility {
  /** source → reasons it is blind (socket down, catching up, ...). */
  private readonly blindSources = new Map<string, Set<string>>();
  /** platform conversation id → how many re-reads are pending. */
  private readonly pending = new Map<string, number>();

  /** The handle an adapter gets: it can only speak for its own source. */
  forSource(source: string): SourceVisibility {
    return {
      blind: (reason) => {
        let reasons = this.blindSources.get(source);
        if (!reasons) this.blindSources.set(source, (reasons = new Set()));
        reasons.add(reason);
      },
      sees: (reason) => {
        const reasons = this.blindSources.get(source);
        reasons?.delete(reason);
        if (reasons?.size === 0) this.blindSources.delete(source);
      },
      rereading: (platformConversationId) => this.pending.set(platformConversationId, (this.pending.get(platformConversationId) ?? 0) + 1),
      reread: (platformConversationId) => {
        const n = (this.pending.get(platformConversationId) ?? 0) - 1;
        if (n > 0) this.pending.set(platformConversationId, n);
        else this.pending.delete(platformConversationId);
      },
    };
  }

  /** Why timers of this conversation must wait, or undefined when they may fire. */
  holdReason(source: string, platformConversationIds: Iterable<string>): string | undefined {
    const reasons = this.blindSources.get(source);
    if (reasons?.size) return [...reasons].join(', ');
    for (const id of platformConversationIds) if (this.pending.has(id)) return `re-reading ${id}`;
    return undefined;
  }

  blindReasons(): Record<string, string[]> {
    return Object.fromEntries([...this.blindSources].map(([source, reasons]) => [source, [...reasons]]));
  }
}
