// Which queues to follow: explicit ids, names resolved through the Routing API, or "all" (every queue,
// paged). A name that matches nothing is an error at start: silently following nothing is worse.
import type { GenesysApi, QueueRef } from './api.js';
import { BridgeError } from '../../../src/errors.js';

const PAGE_SIZE = 100;

export async function listAllQueues(api: GenesysApi, name?: string): Promise<QueueRef[]> {
  const out: QueueRef[] = [];
  for (let page = 1; ; page += 1) {
    const result = await api.listQueues(page, PAGE_SIZE, name);
    out.push(...result.entities);
    const lastPage = result.pageCount !== undefined ? page >= result.pageCount : result.entities.length < PAGE_SIZE;
    if (lastPage || result.entities.length === 0) return out;
  }
}

/** A configured queue name that the org does not have: retrying will not help. */
export class QueueNotFoundError extends BridgeError {
  constructor(message: string) {
    super('GENESYS_QUEUE_NOT_FOUND', message);
    this.name = 'QueueNotFoundError';
  }
}

export async function resolveQueues(api: GenesysApi, ids: readonly string[], names: readonly string[]): Promise<QueueRef[]> {
  const found = new Map<string, QueueRef>();
  if (ids.some((id) => id.toLowerCase() === 'all')) {
    for (const q of await listAllQueues(api)) found.set(q.id, q);
  } else {
    for (const id of ids) found.set(id, { id });
  }
  for (const name of names) {
    // The name filter is a prefix/contains match on Genesys; keep exact (case-insensitive) matches only.
    const matches = (await listAllQueues(api, name)).filter((q) => q.name?.toLowerCase() === name.toLowerCase());
    if (matches.length === 0) throw new QueueNotFoundError(`genesys: queue named "${name}" (GENESYS_QUEUE_NAMES) not found`);
    for (const q of matches) found.set(q.id, q);
  }
  return [...found.values()];
}
