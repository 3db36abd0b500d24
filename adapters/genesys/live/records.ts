// SDK answers are untyped JSON: field access goes through these instead of casts at every call site.

/** The value as a plain record, or undefined when it is not an object. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

/** The value as a plain record; an empty one when it is not an object. */
export function rec(value: unknown): Record<string, unknown> {
  return asRecord(value) ?? {};
}
