// `agentai-bridge conversations --open [--json]`: the conversations the store holds open, oldest first, with
// how long each has been open and since when nothing changed, so a call stuck "in progress" is noticed.
// Reads the store through openStore(config) (the daemon may be running: SQLite WAL allows it).
import { argsOrExit, type CommandSpec } from './args.js';
import { EXIT, println, type CliContext } from './context.js';
import { withConfiguredStore } from './setup.js';

export const conversationsSpec = {
  name: 'conversations',
  summary: 'the conversations the store holds open, oldest first, with how long each has been open',
  flags: {
    open: { type: 'boolean', required: true, doc: 'the open ones (the only listing there is)' },
    json: { type: 'boolean', doc: 'print JSON instead of text' },
  },
} as const satisfies CommandSpec;

function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  return `${(s / 3600).toFixed(1)}h`;
}

export async function conversationsCommand(args: string[], ctx: CliContext): Promise<number> {
  const parsed = argsOrExit(conversationsSpec, args, ctx);
  if (typeof parsed === 'number') return parsed;
  return withConfiguredStore(ctx, async (store) => {
    const open = await store.openConversations();
    const now = Date.now();
    if (parsed.values.json) {
      const rows = open.map((c) => ({ ...c, openSeconds: Math.max(0, now - c.createdAt) / 1000, idleSeconds: Math.max(0, now - c.updatedAt) / 1000 }));
      println(ctx.stdout, JSON.stringify(rows, null, 2));
      return EXIT.ok;
    }
    if (open.length === 0) println(ctx.stdout, 'no open conversations');
    for (const c of open) {
      println(
        ctx.stdout,
        `${c.id}  ${c.source}  bot ${c.bot}${c.experience ? `  ${c.experience}` : ''}  open ${age(now - c.createdAt)} (since ${new Date(c.createdAt).toISOString()})  last change ${age(now - c.updatedAt)} ago`,
      );
      if (c.platformIds.length > 1 || c.platformIds[0] !== c.id) println(ctx.stdout, `      platform conversations: ${c.platformIds.join(', ')}`);
    }
    if (open.length > 0) println(ctx.stdout, `${open.length} open conversation(s)`);
    return EXIT.ok;
  });
}
