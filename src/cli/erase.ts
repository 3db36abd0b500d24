// `agentai-bridge erase CONVERSATION_ID [--json]`: removes everything the bridge stores about one conversation,
// for a data-subject request: its state, dedupe keys, hook calls of any status with their bodies (dead letters
// included), aliases, redial keys, delivery claim and summary follow-up, then says what it removed. Works on
// the configured store directly, with the daemon stopped or not (see README "What the bridge stores").
import type { BridgeConfig } from '../config/load.js';
import { sqlitePath } from '../store/open.js';
import type { ErasedConversation } from '../store/types.js';
import { openPostgresSummaryStore } from '../summary/postgres-summary-store.js';
import { openSummaryStore, type SummaryStore } from '../summary/summary-store.js';
import { EXIT, println, type CliContext } from './context.js';
import { loadOrExplain, withConfiguredStore } from './setup.js';
import { argsOrExit, type CommandSpec } from './args.js';

export const eraseSpec = {
  name: 'erase',
  summary: 'remove every stored row of one conversation (data-subject requests) and print what was removed',
  flags: {
    json: { type: 'boolean', doc: 'print JSON instead of text' },
  },
  args: [{ name: 'CONVERSATION_ID' }],
  details: 'exit 4 when nothing is stored for that conversation (never seen, past retention, or erased already)',
} as const satisfies CommandSpec;

/** Nothing was stored for that conversation (never seen, purged by retention, or erased already). */
export const EXIT_NOT_FOUND = 4;

function summaryStoreFor(config: BridgeConfig): SummaryStore {
  return config.bridge.store === 'postgres'
    ? openPostgresSummaryStore({ url: config.postgres.url, schema: config.postgres.schema })
    : openSummaryStore(sqlitePath(config.bridge.dataDir));
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

export async function eraseCommand(args: string[], ctx: CliContext): Promise<number> {
  const parsed = argsOrExit(eraseSpec, args, ctx);
  if (typeof parsed === 'number') return parsed;
  const json = parsed.values.json;
  const [id = ''] = parsed.positionals;
  const config = loadOrExplain(ctx);
  if (typeof config === 'number') return config;
  return withConfiguredStore(ctx, async (store) => {
    const erased: ErasedConversation | undefined = await store.erase(id);
    const conversationId = erased?.conversationId ?? id;
    const summaries = summaryStoreFor(config);
    let summaryRows: number;
    try {
      summaryRows = await summaries.erase(conversationId);
    } finally {
      await summaries.close();
    }
    const found = erased !== undefined || summaryRows > 0;
    const removed = { ...(erased?.removed ?? { conversations: 0, facts: 0, outbox: 0, aliases: 0, redialKeys: 0, claims: 0 }), summaries: summaryRows };
    if (json) {
      println(ctx.stdout, JSON.stringify({ conversationId, erased: found, wasOpen: erased?.wasOpen ?? false, removed }, null, 2));
      return found ? EXIT.ok : EXIT_NOT_FOUND;
    }
    if (!found) {
      println(ctx.stdout, `nothing stored for conversation ${id} (never seen, past retention, or erased already)`);
      return EXIT_NOT_FOUND;
    }
    println(ctx.stdout, `erased conversation ${conversationId}${conversationId !== id ? ` (${id} was routed into it by a redial)` : ''}:`);
    println(ctx.stdout, `  ${plural(removed.conversations, 'conversation record', 'conversation records')} (state: participants, platform ids, timers)`);
    println(ctx.stdout, `  ${plural(removed.outbox, 'hook call', 'hook calls')} with their bodies (delivered, queued and dead letters)`);
    println(ctx.stdout, `  ${plural(removed.facts, 'dedupe key', 'dedupe keys')}`);
    println(ctx.stdout, `  ${plural(removed.aliases, 'alias', 'aliases')}, ${plural(removed.redialKeys, 'redial key', 'redial keys')}, ${plural(removed.claims, 'delivery claim', 'delivery claims')}`);
    println(ctx.stdout, `  ${plural(removed.summaries, 'summary follow-up', 'summary follow-ups')} (the summary text included)`);
    if (erased?.wasOpen) {
      println(ctx.stdout, 'note: the conversation was still open: a fact of it that still arrives starts it again; erase it once it has ended (or with the daemon stopped)');
    }
    return EXIT.ok;
  });
}
