// What one apply batch writes to PostgreSQL, gathered while its mutations are decided and then written in a
// handful of set-based statements (one round trip each, whatever the batch size) instead of several per
// mutation. Later writes of the batch win, in batch order, exactly as if each had been written on its own.
import type pg from 'pg';
import type { IngestPlan } from './types.js';
import { serialiseState } from '../core/conversation-state.js';

/** A plan serialised up front: a plan that cannot be serialised fails its mutation before anything is kept. */
export interface PreparedPlan {
  readonly plan: IngestPlan;
  readonly state: string;
  readonly bodies: readonly string[];
}

export function preparePlan(plan: IngestPlan): PreparedPlan {
  return { plan, state: serialiseState(plan.conversation.state), bodies: plan.outbox.map((r) => JSON.stringify(r.body)) };
}

export class BatchWrites {
  private readonly seen: { key: string; conversationId: string; at: number }[] = [];
  private readonly conversations = new Map<string, PreparedPlan>();
  private readonly aliases = new Map<string, string>();
  private readonly clearedRedial = new Set<string>();
  private readonly redial = new Map<string, { conversationId: string; until: number }>();
  private readonly outbox: { prepared: PreparedPlan; index: number }[] = [];

  add(prepared: PreparedPlan, platformId: string | undefined, dedupe: { key: string; at: number } | undefined): void {
    const { plan } = prepared;
    const id = plan.conversation.id;
    if (dedupe) this.seen.push({ key: dedupe.key, conversationId: id, at: dedupe.at });
    this.conversations.set(id, prepared);
    if (plan.alias && platformId) this.aliases.set(platformId, plan.alias);
    if (plan.redial === 'clear') {
      this.clearedRedial.add(id);
      for (const [key, entry] of this.redial) if (entry.conversationId === id) this.redial.delete(key);
    } else if (plan.redial) {
      for (const key of plan.redial.keys) this.redial.set(key, { conversationId: id, until: plan.redial.until });
    }
    plan.outbox.forEach((_, index) => this.outbox.push({ prepared, index }));
  }

  async flush(client: pg.PoolClient, t: number): Promise<void> {
    if (this.seen.length) {
      await client.query('INSERT INTO seen_facts (dedupe_key, conversation_id, seen_at) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])', [
        this.seen.map((s) => s.key),
        this.seen.map((s) => s.conversationId),
        this.seen.map((s) => s.at),
      ]);
    }
    const conversations = [...this.conversations.values()];
    if (conversations.length) {
      const col = <T>(f: (p: PreparedPlan) => T): T[] => conversations.map(f);
      await client.query(
        `INSERT INTO conversations (id, bot, source, state, wake_at, closed_at, updated_at, created_at, clock_platform_at, clock_local_at)
         SELECT id, bot, source, state, wake_at, closed_at, $9, $9, platform_at, local_at
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[])
           AS c(id, bot, source, state, wake_at, closed_at, platform_at, local_at)
         ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, wake_at = EXCLUDED.wake_at, closed_at = EXCLUDED.closed_at,
           updated_at = EXCLUDED.updated_at, clock_platform_at = EXCLUDED.clock_platform_at, clock_local_at = EXCLUDED.clock_local_at`,
        [
          col((p) => p.plan.conversation.id),
          col((p) => p.plan.conversation.bot),
          col((p) => p.plan.conversation.source),
          col((p) => p.state),
          col((p) => p.plan.wakeAt ?? null),
          col((p) => p.plan.closedAt ?? null),
          col((p) => p.plan.conversation.clock?.platformAt ?? null),
          col((p) => p.plan.conversation.clock?.localAt ?? null),
          t,
        ],
      );
    }
    if (this.aliases.size) {
      await client.query(
        `INSERT INTO aliases (platform_id, conversation_id) SELECT * FROM unnest($1::text[], $2::text[])
         ON CONFLICT (platform_id) DO UPDATE SET conversation_id = EXCLUDED.conversation_id`,
        [[...this.aliases.keys()], [...this.aliases.values()]],
      );
    }
    if (this.clearedRedial.size) await client.query('DELETE FROM redial_index WHERE conversation_id = ANY($1::text[])', [[...this.clearedRedial]]);
    if (this.redial.size) {
      const entries = [...this.redial];
      await client.query(
        `INSERT INTO redial_index (match_key, conversation_id, expires_at) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
         ON CONFLICT (match_key) DO UPDATE SET conversation_id = EXCLUDED.conversation_id, expires_at = EXCLUDED.expires_at`,
        [entries.map(([k]) => k), entries.map(([, e]) => e.conversationId), entries.map(([, e]) => e.until)],
      );
    }
    if (this.outbox.length) {
      const col = <T>(f: (p: PreparedPlan, index: number) => T): T[] => this.outbox.map((o) => f(o.prepared, o.index));
      const row = (p: PreparedPlan, i: number) => p.plan.outbox[i]!;
      // Ids follow the batch's order (ORDER BY n): that is the delivery order within each conversation.
      await client.query(
        `INSERT INTO outbox (conversation_id, bot, source, kind, label, event, body, ref, status, next_attempt_at, created_at, updated_at, fact_at)
         SELECT conversation_id, bot, source, kind, label, event, body, ref, 'pending', $10, $10, $10, fact_at
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[])
           WITH ORDINALITY AS r(conversation_id, bot, source, kind, label, event, body, ref, fact_at, n)
         ORDER BY n`,
        [
          col((p) => p.plan.conversation.id),
          col((p) => p.plan.conversation.bot),
          col((p) => p.plan.conversation.source),
          col((p, i) => row(p, i).kind),
          col((p, i) => row(p, i).label),
          col((p, i) => row(p, i).event),
          col((p, i) => p.bodies[i] ?? 'null'),
          col((p, i) => row(p, i).ref ?? null),
          col((p, i) => row(p, i).factAt),
          t,
        ],
      );
    }
  }
}
