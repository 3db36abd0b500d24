// Dead letters do not stay forever: BRIDGE_DEAD_LETTER_RETENTION_HOURS after delivery gave up on one, it is
// removed (with its body). Each sweep first warns, once per letter and process, about those that expire within
// the warning window, so an operator still has a day to retry one (`agentai-bridge dead-letters retry`); then it
// removes those past their time. A blocking letter takes the calls queued behind it in its conversation (see
// Store.expireDeadLetters). Times are the bridge's wall clock, the one delivery dates dead letters by.
import type { Logger } from 'pino';
import type { BridgeMetrics } from '../observability/metrics.js';
import type { Store } from '../store/types.js';

const HOUR = 3_600_000;
/** How long before its expiry a dead letter is warned about (the whole retention, if that is shorter). */
export const DEAD_LETTER_WARNING_MS = 24 * HOUR;
/** Letters removed per store transaction. */
const SLICE = 100;

export interface DeadLetterExpiryDeps {
  readonly store: Store;
  readonly logger: Logger;
  readonly metrics?: BridgeMetrics;
  /** 0: dead letters are kept until an operator retries or drops them. */
  readonly retentionHours: number;
  readonly now?: () => number;
}

export class DeadLetterExpiry {
  /** Letters already warned about by this process. */
  private readonly warned = new Set<number>();
  private readonly now: () => number;

  constructor(private readonly deps: DeadLetterExpiryDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** One sweep: warnings, then removals. Resolves how many letters were removed. */
  async sweep(): Promise<number> {
    const { store, logger, metrics, retentionHours } = this.deps;
    if (retentionHours <= 0) return 0;
    const retentionMs = retentionHours * HOUR;
    const t = this.now();
    const expiresAt = (deadSince: number): number => deadSince + retentionMs;
    const letters = await store.deadLetters();
    const present = new Set<number>();
    for (const r of letters) {
      present.add(r.id);
      const at = expiresAt(r.deadSince ?? t);
      if (at <= t || at - t > DEAD_LETTER_WARNING_MS || this.warned.has(r.id)) continue;
      this.warned.add(r.id);
      logger.warn(
        {
          conversationId: r.conversationId,
          outboxId: r.id,
          hookEvent: r.event,
          blocking: r.blocking === true,
          expiresAt: new Date(at).toISOString(),
          event: 'dead_letter.expiring',
        },
        `dead letter #${r.id} (${r.label}) expires at ${new Date(at).toISOString()} (BRIDGE_DEAD_LETTER_RETENTION_HOURS); retry it before then to deliver it (agentai-bridge dead-letters retry ${r.id})`,
      );
    }
    for (const id of this.warned) if (!present.has(id)) this.warned.delete(id);
    let removed = 0;
    for (;;) {
      const expired = await store.expireDeadLetters(t - retentionMs, SLICE);
      for (const e of expired) {
        this.warned.delete(e.id);
        metrics?.deadLettersExpired.inc({ event: e.event });
        logger.info(
          { conversationId: e.conversationId, outboxId: e.id, hookEvent: e.event, blocking: e.blocking, queuedRemoved: e.queuedRemoved, deadSince: new Date(e.deadSince).toISOString(), event: 'dead_letter.expired' },
          e.blocking && e.queuedRemoved > 0
            ? `dead letter #${e.id} (${e.label}) expired and was removed, with the ${e.queuedRemoved} call(s) it held back`
            : `dead letter #${e.id} (${e.label}) expired and was removed`,
        );
      }
      removed += expired.length;
      if (expired.length < SLICE) return removed;
    }
  }
}
