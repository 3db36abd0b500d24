// An AdapterContext for an adapter that runs without a store of its own choosing (tests, tools): visibility is
// tracked, durable state lives in memory.
import type { Logger } from 'pino';
import type { AdapterContext, FactSink, OpenConversationView } from '../core/adapter.js';
import { Visibility } from '../pipeline/visibility.js';

export function standaloneContext(
  source: string,
  sink: FactSink,
  logger: Logger,
  options: { now?: () => number; visibility?: Visibility; open?: () => OpenConversationView[] } = {},
): AdapterContext {
  const cursors = new Map<string, number>();
  const visibility = options.visibility ?? new Visibility();
  return {
    sink,
    logger,
    now: options.now ?? Date.now,
    visibility: visibility.forSource(source),
    state: {
      openConversations: async () => options.open?.() ?? [],
      cursor: async (name) => cursors.get(name),
      setCursor: async (name, value) => void cursors.set(name, value),
    },
  };
}
