// What the SQLite store keeps of a fact's dedupe key: the first 16 bytes of its SHA-256, not the key. An
// adapter's key names the platform conversation, the leg and the event (~95 characters for a Genesys join),
// and was stored twice (the row and its primary-key index): ~260 of the ~1,600 bytes an open idle
// conversation cost on disk (goal 6). 128 bits make a collision, which would drop a fact as a duplicate,
// less likely than a disk error.
import { createHash } from 'node:crypto';

export function factKey(dedupeKey: string): Buffer {
  return createHash('sha256').update(dedupeKey).digest().subarray(0, 16);
}

/** The migration's SQL function: a key a release before the hashing wrote (text) becomes its hash. */
export const FACT_KEY_SQL_FUNCTION = 'bridge_fact_key';
