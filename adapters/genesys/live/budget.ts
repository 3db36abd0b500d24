// The org's API budget (Genesys: 300 requests per minute per client-credentials token by default): the REST
// calls that come in bursts (reconciliation reads, analytics queries, message text and name lookups) share one
// queue with bounded concurrency and a per-second cap derived from the budget. A 429 is waited out inside the
// call that got it (sdk.ts), so it holds one slot, not the whole pass. Control calls (token, channels,
// subscriptions) bypass the queue: they are few and nothing works without them.
import PQueue from 'p-queue';
import type { GenesysApi } from './api.js';

export interface BudgetOptions {
  readonly requestsPerMinute: number;
  readonly concurrency: number;
}

export class RequestBudget {
  private readonly queue: PQueue;

  constructor(options: BudgetOptions) {
    // Spread the minute's budget over its seconds, so a pass never spends a minute's worth in a burst.
    const perSecond = options.requestsPerMinute / 60;
    const interval = perSecond >= 1 ? 1000 : Math.ceil(60_000 / options.requestsPerMinute);
    const intervalCap = perSecond >= 1 ? Math.floor(perSecond) : 1;
    this.queue = new PQueue({ concurrency: options.concurrency, interval, intervalCap });
  }

  /** Higher `priority` goes first: a hook call waiting on a message text must not queue behind a long pass. */
  run<T>(call: () => Promise<T>, priority = 0): Promise<T> {
    return this.queue.add(() => call(), { priority });
  }

  /** Calls waiting for a slot (status, tests). */
  get waiting(): number {
    return this.queue.size;
  }
}

/** The same API with its bursty reads spent from `budget`, at `priority`. */
export function budgeted(api: GenesysApi, budget: RequestBudget, priority = 0): GenesysApi {
  const run = <T>(call: () => Promise<T>): Promise<T> => budget.run(call, priority);
  return {
    login: () => api.login(),
    createChannel: () => api.createChannel(),
    channelExists: (id) => api.channelExists(id),
    putSubscriptions: (id, topics) => api.putSubscriptions(id, topics),
    postSubscriptions: (id, topics) => api.postSubscriptions(id, topics),
    deleteSubscriptions: (id) => api.deleteSubscriptions(id),
    listQueues: (page, size, name) => api.listQueues(page, size, name),
    getConversation: (id) => run(() => api.getConversation(id)),
    getMessages: (id, ids) => run(() => api.getMessages(id, ids)),
    getUser: (id) => run(() => api.getUser(id)),
    getQueue: (id) => run(() => api.getQueue(id)),
    conversationDetailsQuery: (body) => run(() => api.conversationDetailsQuery(body)),
  };
}
