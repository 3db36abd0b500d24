// Building blocks for schemas over Genesys JSON. Genesys adds fields and enum values without notice, so one
// odd field must never cost us the whole frame: optional leaves fall back to `undefined` when mistyped, and
// arrays keep the elements that parse and drop the rest.
import { z } from 'zod';

export const optString = z.string().optional().catch(undefined);
export const optBool = z.boolean().optional().catch(undefined);
export const optNumber = z.number().finite().optional().catch(undefined);
/** Genesys sends ISO-8601 strings; some captures and EventBridge copies carry epoch milliseconds. */
export const optTime = z.union([z.string(), z.number()]).optional().catch(undefined);

/** `{ id }` references of the flattened shape (`user`, `queue`, `externalContact`). */
export const optRef = z.object({ id: optString }).optional().catch(undefined);

export function lenientArray<T extends z.ZodType>(item: T) {
  // Anything but an array (missing, null, mistyped) is an empty list; checked by hand rather than by a zod array
  // schema, which copied every array of every frame once more before the elements were parsed.
  return z.unknown().optional().transform((values): Array<z.output<T>> => {
    const kept: Array<z.output<T>> = [];
    if (!Array.isArray(values)) return kept;
    for (const value of values) {
      const parsed = item.safeParse(value);
      if (parsed.success) kept.push(parsed.data);
    }
    return kept;
  });
}

/**
 * Times already parsed, by their text: a snapshot repeats every leg's times in every frame, so the same few
 * strings come back thousands of times (Date.parse was 2% of a replay's CPU). Small, and emptied when full.
 */
const parsedTimes = new Map<string, number | undefined>();
const PARSED_TIMES_MAX = 512;

/** Epoch milliseconds from an ISO string, a numeric string or a number; `undefined` when unusable. */
export function toEpochMs(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  const cached = parsedTimes.get(value);
  if (cached !== undefined || parsedTimes.has(value)) return cached;
  const ms = parseTimeText(value);
  if (parsedTimes.size >= PARSED_TIMES_MAX) parsedTimes.clear();
  parsedTimes.set(value, ms);
  return ms;
}

function parseTimeText(value: string): number | undefined {
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) : Date.parse(trimmed);
  return Number.isFinite(ms) ? ms : undefined;
}

/** Lower-cased, trimmed enum value; Genesys enums are open strings, compared case-insensitively. */
export function openEnum(value: string | undefined): string | undefined {
  const normalised = value?.trim().toLowerCase();
  return normalised === '' ? undefined : normalised;
}

export function maxDefined(values: Iterable<number | undefined>): number | undefined {
  let max: number | undefined;
  for (const value of values) {
    if (value !== undefined && (max === undefined || value > max)) max = value;
  }
  return max;
}
