// Agent name/email (Users API) and queue name (Routing API), looked up when a hook call is sent (the outbox
// completer), never before a fact is stored. A lookup never takes longer than `timeoutMs`: past it, or on an
// error, the call goes out with what the notification said; a failed lookup is not retried for a minute (a
// broken permission must not cost a call per hook). Queue names already known (resolved at start, or looked up
// once) are also available synchronously, so bot selection by queue name needs no network at ingest.
import type { GenesysApi, QueueRef, UserRef } from './api.js';
import { TtlCache } from './ttl-cache.js';
import { withDeadline } from './timing.js';

const FAILURE_TTL_MS = 60_000;

export class Directory {
  private readonly users: TtlCache<UserRef | undefined>;
  private readonly queues: TtlCache<QueueRef | undefined>;
  private readonly queueNames = new Map<string, string>();

  constructor(
    private readonly api: GenesysApi,
    private readonly timeoutMs: number,
    ttlMs: number,
  ) {
    this.users = new TtlCache(ttlMs);
    this.queues = new TtlCache(ttlMs);
  }

  /** Seeds the queue cache from the start-up queue resolution (names already known). */
  knowQueue(queue: QueueRef): void {
    if (!queue.name) return;
    this.queues.set(queue.id, queue);
    this.queueNames.set(queue.id, queue.name);
  }

  /** A queue name known without asking Genesys; otherwise undefined (and a lookup starts in the background). */
  queueNameNow(queueId: string): string | undefined {
    const name = this.queueNames.get(queueId);
    if (name === undefined) void this.queue(queueId);
    return name;
  }

  user(userId: string): Promise<UserRef | undefined> {
    return this.lookup(this.users, userId, () => this.api.getUser(userId));
  }

  async queue(queueId: string): Promise<QueueRef | undefined> {
    const queue = await this.lookup(this.queues, queueId, () => this.api.getQueue(queueId));
    if (queue?.name) this.queueNames.set(queueId, queue.name);
    return queue;
  }

  private lookup<V>(cache: TtlCache<V | undefined>, key: string, load: () => Promise<V>): Promise<V | undefined> {
    // Known already: no deadline timer (one per hook call to arm and clear was most of a drain's lookup cost).
    const known = cache.peek(key);
    if (known) return Promise.resolve(known.value);
    const loaded = cache.get(key, () =>
      load().catch(() => {
        // Remember the failure briefly; `undefined` is a cached "unknown".
        queueMicrotask(() => cache.set(key, undefined, FAILURE_TTL_MS));
        return undefined;
      }),
    );
    return withDeadline(loaded, this.timeoutMs, undefined);
  }
}
