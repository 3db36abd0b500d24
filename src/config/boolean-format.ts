// Strict booleans. convict turns every string but "false" into true, so AGENTAI_SUMMARY=0 (or no, off, empty)
// switched summaries on. Registered under convict's own name for `format: Boolean`, so every boolean key,
// present and future, gets it without a change to its declaration.
const TRUE = new Set(['true', '1', 'yes']);
const FALSE = new Set(['false', '0', 'no']);

export const BOOLEAN_VALUES = 'true or false (also 1/0, yes/no)';

export const strictBoolean = {
  name: 'boolean',
  validate(value: unknown): void {
    if (typeof value !== 'boolean') throw new Error(`must be ${BOOLEAN_VALUES}`);
  },
  /** Anything not recognised stays a string, which the type check then refuses with the key's name. */
  coerce(value: unknown): unknown {
    if (typeof value !== 'string') return value;
    const word = value.trim().toLowerCase();
    if (TRUE.has(word)) return true;
    if (FALSE.has(word)) return false;
    return value;
  },
};
