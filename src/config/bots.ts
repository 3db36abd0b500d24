// Several Agent AI bots: each conversation is bound to one, chosen by queue, Ada domain or source.
// The list comes from the config file; the env bot (AGENTAI_BOT_ID...) is the fallback named "default".
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const botEntry = z
  .object({
    name: z.string().min(1),
    botId: z.string().min(1),
    clientId: z.string().min(1),
    clientSecret: z.string().min(1).optional(),
    clientSecretFile: z.string().min(1).optional(),
    queueIds: z.array(z.string().min(1)).default([]),
    queueNames: z.array(z.string().min(1)).default([]),
    sources: z.array(z.string().min(1)).default([]),
    domains: z.array(z.string().min(1)).default([]),
    summary: z.boolean().optional(),
    default: z.boolean().default(false),
  })
  .strict()
  .refine((b) => Boolean(b.clientSecret) !== Boolean(b.clientSecretFile), {
    message: 'give exactly one of clientSecret or clientSecretFile',
  });

export interface Bot {
  readonly name: string;
  readonly botId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly queueIds: readonly string[];
  readonly queueNames: readonly string[];
  readonly sources: readonly string[];
  readonly domains: readonly string[];
  readonly summary?: boolean;
  readonly default: boolean;
}

export interface BotProblem {
  readonly key: string;
  readonly reason: string;
}

export function parseBots(raw: unknown[]): { bots: Bot[]; problems: BotProblem[] } {
  const bots: Bot[] = [];
  const problems: BotProblem[] = [];
  raw.forEach((entry, index) => {
    const parsed = botEntry.safeParse(entry);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const where = issue.path.length ? `.${issue.path.join('.')}` : '';
        problems.push({ key: `agentai.bots[${index}]${where}`, reason: issue.message });
      }
      return;
    }
    const { clientSecretFile, clientSecret, ...rest } = parsed.data;
    let secret = clientSecret ?? '';
    if (clientSecretFile) {
      try {
        secret = readFileSync(clientSecretFile, 'utf8').trim();
      } catch (err) {
        problems.push({ key: `agentai.bots[${index}].clientSecretFile`, reason: `cannot read ${clientSecretFile}: ${(err as Error).message}` });
        return;
      }
    }
    bots.push({ ...rest, clientSecret: secret });
  });
  const names = new Set<string>();
  for (const bot of bots) {
    if (names.has(bot.name)) problems.push({ key: 'agentai.bots', reason: `bot name "${bot.name}" is used twice` });
    names.add(bot.name);
  }
  return { bots, problems };
}

/** What a conversation's first fact tells us about where it belongs. */
export interface BotHints {
  readonly source: string;
  readonly queueId?: string;
  readonly queueName?: string;
  readonly domain?: string;
}

/**
 * Picks the bot for a conversation: an explicit queue or domain match wins, then a bot that claims the
 * whole source, then the default bot. Order in the file breaks ties, so the choice is predictable.
 */
export function chooseBot(bots: readonly Bot[], hints: BotHints): Bot | undefined {
  const byQueue = bots.find(
    (b) =>
      (hints.queueId !== undefined && b.queueIds.includes(hints.queueId)) ||
      (hints.queueName !== undefined && b.queueNames.includes(hints.queueName)),
  );
  if (byQueue) return byQueue;
  const byDomain = hints.domain !== undefined ? bots.find((b) => b.domains.includes(hints.domain as string)) : undefined;
  if (byDomain) return byDomain;
  const bySource = bots.find(
    (b) => b.sources.includes(hints.source) && b.queueIds.length === 0 && b.queueNames.length === 0 && b.domains.length === 0,
  );
  if (bySource) return bySource;
  return defaultBot(bots);
}

/** The bot marked default, else the first one. */
export function defaultBot(bots: readonly Bot[]): Bot | undefined {
  return bots.find((b) => b.default) ?? bots[0];
}
