// Agent name/email (Users API) and queue name (Routing API) added to agent facts. A lookup never holds a
// fact for longer than `timeoutMs`: on timeout or error the fact goes on with what the notification said,
// and a failed lookup is not retried for a minute (a broken permission must not cost a call per fact).
import type { AgentInfo, Fact } from '../../../src/core/facts.js';
import type { GenesysApi, QueueRef, UserRef } from './api.js';
import { TtlCache } from './ttl-cache.js';
import { withDeadline } from './timing.js';

const FAILURE_TTL_MS = 60_000;

export class Enricher {
  private readonly users: TtlCache<UserRef | undefined>;
  private readonly queues: TtlCache<QueueRef | undefined>;

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
    if (queue.name) this.queues.set(queue.id, queue);
  }

  async enrich(fact: Fact): Promise<Fact> {
    if (fact.type !== 'agent.joined' && fact.type !== 'agent.left') return fact;
    const agent = fact.agent;
    const queueId = agent.queueId ?? fact.queueId;
    const [user, queue] = await Promise.all([
      agent.email === undefined || agent.name === undefined ? this.lookup(this.users, agent.identity, () => this.api.getUser(agent.identity)) : undefined,
      queueId !== undefined && agent.queueName === undefined ? this.lookup(this.queues, queueId, () => this.api.getQueue(queueId)) : undefined,
    ]);
    const enriched: AgentInfo = {
      ...agent,
      ...(agent.name === undefined && user?.name ? { name: user.name } : {}),
      ...(agent.email === undefined && user?.email ? { email: user.email } : {}),
      ...(queue?.name ? { queueName: queue.name, queueId: agent.queueId ?? queue.id } : {}),
    };
    return { ...fact, agent: enriched };
  }

  private lookup<V>(cache: TtlCache<V | undefined>, key: string, load: () => Promise<V>): Promise<V | undefined> {
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
