// Compares a snapshot with what memory says each leg already reached and lists the forward steps only.
// Pure: memory is read, never written (the fact builder applies the steps in time order).
import type { ConversationMemory } from './conversation-memory.js';
import type { Leg, LegPhase } from './legs.js';

export interface LegChange {
  readonly leg: Leg;
  /** The key memory knows this leg by (which may be an earlier spelling of it, see `alias`). */
  readonly key: string;
  /** Record `leg.key` as another spelling of `key`. */
  readonly alias?: string;
  readonly from: LegPhase;
  readonly to: LegPhase;
  readonly known: boolean;
}

export interface LegEvent {
  readonly kind: 'connected' | 'ended';
  readonly change: LegChange;
  readonly at: number;
  /** For `ended`: the leg had connected (a leg that only ever alerted ends silently). */
  readonly afterConnection: boolean;
}

export interface SnapshotDiff {
  readonly changes: readonly LegChange[];
  readonly events: readonly LegEvent[];
}

export function diffSnapshot(legs: readonly Leg[], memory: ConversationMemory, now: number): SnapshotDiff {
  const changes: LegChange[] = [];
  const events: LegEvent[] = [];
  for (const leg of legs) {
    const { key, alias } = resolveKey(leg, memory);
    const remembered = memory.legs.get(key);
    const from: LegPhase = remembered?.phase ?? 0;
    if (remembered && leg.phase <= from) continue; // duplicate or stale: nothing moves backwards
    const change: LegChange = {
      leg,
      key,
      from,
      to: leg.phase > from ? leg.phase : from,
      known: remembered !== undefined,
      ...(alias !== undefined ? { alias } : {}),
    };
    changes.push(change);

    const connectsNow = from === 0 && (leg.phase === 1 || (leg.phase === 2 && leg.connectedAt !== undefined));
    const connectedAt = leg.connectedAt ?? now;
    if (connectsNow) events.push({ kind: 'connected', change, at: connectedAt, afterConnection: false });
    if (leg.phase === 2 && from < 2) {
      let endedAt = leg.endedAt ?? now;
      // Keep this leg's own exit after its entry even when the payload's times tie or contradict.
      if (connectsNow && endedAt <= connectedAt) endedAt = connectedAt + 1;
      events.push({
        kind: 'ended',
        change,
        at: endedAt,
        afterConnection: connectsNow || remembered?.connected === true,
      });
    }
  }
  return { changes, events };
}

/**
 * The flattened shape names a leg `participant:calls`, the nested one `participant:<call id>`. When a
 * conversation is seen through both, the spelling seen first stays canonical so no fact fires twice.
 */
function resolveKey(leg: Leg, memory: ConversationMemory): { key: string; alias?: string } {
  const aliased = memory.aliases?.get(leg.key);
  if (aliased !== undefined) return { key: aliased };
  if (memory.legs.has(leg.key)) return { key: leg.key };
  if (leg.synthetic) {
    let real: string | undefined;
    for (const known of memory.legs.values()) {
      if (!known.synthetic && known.participantId === leg.participantId && known.media === leg.media) real = known.key;
    }
    if (real !== undefined) return { key: real, alias: leg.key };
    return { key: leg.key };
  }
  const syntheticKey = `${leg.participantId}:${leg.media}`;
  const synthetic = memory.legs.get(syntheticKey);
  const claimed = [...(memory.aliases?.values() ?? [])].includes(syntheticKey);
  if (synthetic?.synthetic && !claimed) return { key: syntheticKey, alias: leg.key };
  return { key: leg.key };
}
