// `agentai-bridge summary CONVERSATION_ID [--history] [--json] [--bot NAME] [--lang CODE]`: asks Agent AI's
// Conversation Details API for a conversation's summary (and, with --history, its whole paged history) and
// prints it for a terminal or as JSON. The bot is --bot, else the one the store recorded for the
// conversation, else the default bot. Also shows what the daemon's follow-up did with the summary, if anything.
import { existsSync } from 'node:fs';
import type { BotCredentials } from '../agentai/client.js';
import { messageText, summaryText, type ConversationDetails, type HistoryMessage } from '../agentai/details-schema.js';
import { DetailsError } from '../agentai/summary-client.js';
import type { BridgeConfig } from '../config/load.js';
import { storePath } from '../runtime/bridge.js';
import { openSqliteStore } from '../store/sqlite.js';
import { detailsClientFor } from '../summary/factory.js';
import { conversationLookup } from '../summary/follow-up.js';
import { openSummaryStore, type FollowUpRecord } from '../summary/summary-store.js';
import { openPostgresSummaryStore } from '../summary/postgres-summary-store.js';
import { openStore } from '../store/open.js';
import { argsOrExit, usageError, type CommandSpec } from './args.js';
import { EXIT, println, type CliContext } from './context.js';
import { loadOrExplain } from './setup.js';
import { defaultBot } from '../config/bots.js';

export const summarySpec = {
  name: 'summary',
  summary: "Agent AI's summary of a conversation (Conversation Details API), and its paged history",
  args: [{ name: 'CONVERSATION_ID' }],
  flags: {
    history: { type: 'boolean', doc: "also the conversation's whole history, page by page" },
    json: { type: 'boolean', doc: 'print JSON instead of text' },
    bot: { type: 'string', value: 'NAME', doc: 'the bot to ask (default: the one the store recorded, else the default bot)' },
    lang: { type: 'string', value: 'CODE', doc: 'the language of the summary (default summary.language)' },
  },
} as const satisfies CommandSpec;
const WIDTH = 100;

export async function summaryCommand(args: string[], ctx: CliContext): Promise<number> {
  const line = argsOrExit(summarySpec, args, ctx);
  if (typeof line === 'number') return line;
  const [conversationId = ''] = line.positionals;
  if (conversationId.trim() === '') return usageError(ctx, 'summary', 'CONVERSATION_ID is empty');
  const parsed = { ...line.values, conversationId };
  const config = loadOrExplain(ctx);
  if (typeof config === 'number') return config;

  const known = await readKnown(config, parsed.conversationId);
  const botName = parsed.bot ?? known.bot;
  const bot = botName !== undefined ? config.bots.find((b) => b.name === botName) : defaultBot(config.bots);
  if (!bot) {
    return usageError(ctx, 'summary', `no bot named "${botName ?? ''}" (configured: ${config.bots.map((b) => b.name).join(', ')})`);
  }
  const lang = parsed.lang ?? (config.summary.language || undefined);

  const client = detailsClientFor(config);
  try {
    let details: ConversationDetails;
    let messages: HistoryMessage[] | undefined;
    let pages = 0;
    let truncated = false;
    if (parsed.history) {
      const h = await client.history(credentials(bot), parsed.conversationId, {
        pageSize: config.summary.historyPageSize,
        withSummary: true,
        ...(lang ? { lang } : {}),
      });
      details = h.first;
      messages = h.messages;
      pages = h.pages;
      truncated = h.truncated;
    } else {
      details = (await client.summary(credentials(bot), parsed.conversationId, lang)).details;
    }
    const text = summaryText(details);
    if (parsed.json) {
      println(
        ctx.stdout,
        JSON.stringify(
          {
            conversationId: parsed.conversationId,
            bot: bot.name,
            summary: text !== undefined ? { text, time: details.summary?.time ?? null } : null,
            conversationInfo: details.conversationInfo ?? null,
            followUp: known.followUp ?? null,
            ...(messages ? { history: messages, pages, truncated } : {}),
          },
          null,
          2,
        ),
      );
      return EXIT.ok;
    }
    println(ctx.stdout, `conversation ${parsed.conversationId}  (bot ${bot.name})`);
    if (text === undefined) println(ctx.stdout, 'summary: none yet (Agent AI has not produced one for this conversation)');
    else {
      println(ctx.stdout, `summary${details.summary?.time ? ` (${details.summary.time})` : ''}:`);
      for (const line of wrap(text, WIDTH - 2)) println(ctx.stdout, `  ${line}`);
    }
    if (known.followUp) println(ctx.stdout, `write-back: ${describeFollowUp(known.followUp)}`);
    if (messages) {
      println(ctx.stdout, '');
      println(ctx.stdout, `history: ${messages.length} message(s) in ${pages} page(s)${truncated ? ' (stopped at the page limit)' : ''}`);
      for (const m of messages) {
        const when = m.createdOn ?? (m.timestampValue ? new Date(m.timestampValue).toISOString() : '');
        const head = `  ${when.padEnd(24)}  ${(m.type ?? '?').padEnd(8)}  `;
        const body = wrap(messageText(m), Math.max(20, WIDTH - head.length));
        println(ctx.stdout, `${head}${body[0] ?? ''}`);
        for (const more of body.slice(1)) println(ctx.stdout, `${' '.repeat(head.length)}${more}`);
      }
    }
    return EXIT.ok;
  } catch (err) {
    if (err instanceof DetailsError) {
      println(ctx.stderr, `conversationDetails failed: ${err.message}`);
      return EXIT.failure;
    }
    throw err;
  } finally {
    await client.close().catch(() => undefined);
  }
}

function credentials(bot: BotCredentials): BotCredentials {
  return { botId: bot.botId, clientId: bot.clientId, clientSecret: bot.clientSecret };
}

/** What the store knows (bot, follow-up), without creating a store where there is none. */
async function readKnown(config: BridgeConfig, conversationId: string): Promise<{ bot?: string; followUp?: FollowUpRecord }> {
  const postgres = config.bridge.store === 'postgres';
  const path = storePath(config);
  if (!postgres && !existsSync(path)) return {};
  const store = postgres ? await openStore(config) : openSqliteStore({ path });
  const summaries = postgres ? openPostgresSummaryStore({ url: config.postgres.url, schema: config.postgres.schema }) : openSummaryStore(path);
  try {
    const record = await conversationLookup(store)(conversationId);
    const followUp = await summaries.get(conversationId);
    return { ...(record ? { bot: record.bot } : followUp ? { bot: followUp.bot } : {}), ...(followUp ? { followUp } : {}) };
  } finally {
    await summaries.close();
    await store.close();
  }
}

function describeFollowUp(f: FollowUpRecord): string {
  const when = new Date(f.updatedAt).toISOString();
  const who = f.agentIdentity ? ` agent ${f.agentIdentity}` : '';
  return `${f.status}${who} (${when}, ${f.polls} poll(s))${f.lastError ? `: ${f.lastError}` : ''}`;
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter((w) => w !== '')) {
      if (line !== '' && line.length + 1 + word.length > width) {
        out.push(line);
        line = word;
      } else line = line === '' ? word : `${line} ${word}`;
    }
    out.push(line);
  }
  return out;
}
