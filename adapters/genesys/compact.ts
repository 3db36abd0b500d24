// Facts and events are compared in tests and written to logs and the store: leaving out absent optional
// members (rather than carrying `key: undefined`) keeps all three clean.
export function withDefined<T extends object>(value: T): T {
  const kept: Partial<T> = {};
  for (const key of Object.keys(value) as Array<keyof T>) {
    if (value[key] !== undefined) kept[key] = value[key];
  }
  // Only keys whose value is undefined were dropped, which optional members allow.
  return kept as T;
}
