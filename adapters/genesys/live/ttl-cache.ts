// A small TTL cache that also shares in-flight lookups, so a burst of facts for one agent makes one call.
export class TtlCache<V> {
  private readonly values = new Map<string, { value: V; until: number }>();
  private readonly pending = new Map<string, Promise<V>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  /** The value while it is fresh, without loading: `undefined` when there is none. */
  peek(key: string): { readonly value: V } | undefined {
    const hit = this.values.get(key);
    return hit && hit.until > Date.now() ? hit : undefined;
  }

  get(key: string, load: () => Promise<V>, ttlMs = this.ttlMs): Promise<V> {
    const hit = this.peek(key);
    if (hit) return Promise.resolve(hit.value);
    const running = this.pending.get(key);
    if (running) return running;
    const p = load()
      .then((value) => {
        this.set(key, value, ttlMs);
        return value;
      })
      .finally(() => this.pending.delete(key));
    this.pending.set(key, p);
    return p;
  }

  set(key: string, value: V, ttlMs = this.ttlMs): void {
    this.values.delete(key);
    this.values.set(key, { value, until: Date.now() + ttlMs });
    while (this.values.size > this.maxEntries) {
      const oldest = this.values.keys().next().value;
      if (oldest === undefined) break;
      this.values.delete(oldest);
    }
  }
}

/** Remembers the last `max` keys seen; `add` says whether the key is new. */
export class RecentKeys {
  private readonly keys = new Set<string>();

  constructor(private readonly max: number) {}

  delete(key: string): void {
    this.keys.delete(key);
  }

  add(key: string): boolean {
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    if (this.keys.size > this.max) {
      const oldest = this.keys.values().next().value;
      if (oldest !== undefined) this.keys.delete(oldest);
    }
    return true;
  }
}
