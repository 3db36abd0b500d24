// `agentai-bridge dead-letters list | retry <id>|--all | drop <id>`: what delivery gave up on, and why.
// Works on the store directly (the daemon may be running: SQLite WAL allows it); a retried row is picked up
// by the running daemon's next pass over the outbox, or at its next start. Under BRIDGE_STORE=postgres it
// lists and changes the whole cluster's dead letters, and any replica's sweep picks a retried row up.
import { argsOrExit, usageError, type CommandSpec } from './args.js';
import { EXIT, println, type CliContext } from './context.js';
import { withConfiguredStore } from './setup.js';

export const deadLettersSpec = {
  name: 'dead-letters',
  summary: 'hook calls delivery gave up on, with the reason of each; retry puts them back in line',
  synopsis: 'list [--json] | retry ID|--all | drop ID',
  args: [{ name: 'list|retry|drop' }, { name: 'ID', optional: true }],
  flags: {
    json: { type: 'boolean', doc: 'list: print JSON instead of text' },
    all: { type: 'boolean', doc: 'retry: every dead letter' },
  },
  details: 'list: every dead letter, with its reason and when it expires (BRIDGE_DEAD_LETTER_RETENTION_HOURS); retry ID|--all: queue it (or all) again, in order with its conversation; drop ID: delete it',
} as const satisfies CommandSpec;

/** What the verb takes, or what is wrong with the line. */
function misuse(verb: string, id: string | undefined, values: { json: boolean; all: boolean }): string | undefined {
  if (!['list', 'retry', 'drop'].includes(verb)) return `unknown verb "${verb}" (list, retry or drop)`;
  if (values.json && verb !== 'list') return '--json goes with list';
  if (values.all && verb !== 'retry') return '--all goes with retry';
  if (verb === 'list') return id === undefined ? undefined : `unexpected argument "${id}"`;
  if (verb === 'retry' && values.all) return id === undefined ? undefined : 'retry takes an ID or --all, not both';
  if (id === undefined) return `${verb} needs an ID${verb === 'retry' ? ' or --all' : ''}`;
  return /^\d+$/.test(id) ? undefined : `ID must be a dead letter's number, not "${id}"`;
}

export async function deadLettersCommand(args: string[], ctx: CliContext): Promise<number> {
  const parsed = argsOrExit(deadLettersSpec, args, ctx);
  if (typeof parsed === 'number') return parsed;
  const [verb = '', target] = parsed.positionals;
  const wrong = misuse(verb, target, parsed.values);
  if (wrong) return usageError(ctx, 'dead-letters', wrong);
  return withConfiguredStore(ctx, async (store, config) => {
    if (verb === 'list') {
      const rows = await store.deadLetters();
      const expiry = expiresAt(config.bridge.deadLetterRetentionHours, Date.now());
      if (parsed.values.json) {
        println(ctx.stdout, JSON.stringify(rows.map(({ bodyJson, ...r }) => ({ ...r, expiresAt: expiry(r.deadSince), body: JSON.parse(bodyJson) as unknown })), null, 2));
        return EXIT.ok;
      }
      if (rows.length === 0) println(ctx.stdout, 'no dead letters');
      for (const r of rows) {
        println(ctx.stdout, `#${r.id}  ${new Date(r.createdAt).toISOString()}  conversation ${r.conversationId}  bot ${r.bot}  ${r.label}`);
        println(ctx.stdout, `      ${r.blocking ? 'holds its conversation back; ' : ''}attempts ${r.attempts}${r.lastStatus !== undefined ? `, last HTTP ${r.lastStatus}` : ''}: ${r.lastError ?? 'no reason recorded'}`);
        println(ctx.stdout, `      expires ${expiry(r.deadSince)}`);
      }
      return EXIT.ok;
    }
    if (verb === 'retry') {
      const n = await store.retryDead(parsed.values.all ? 'all' : Number(target), Date.now());
      println(ctx.stdout, n ? `${n} dead letter(s) queued again; the daemon delivers them in order with their conversation` : 'no such dead letter');
      return n ? EXIT.ok : EXIT.failure;
    }
    const dropped = await store.dropDead(Number(target));
    println(ctx.stdout, dropped ? `dead letter #${target} dropped` : 'no such dead letter');
    return dropped ? EXIT.ok : EXIT.failure;
  });
}

/**
 * When the daemon's expiry sweep removes a dead letter (ISO time), or 'never' under retention 0. A row without
 * deadSince (none is stored that way) counts from now, as the sweep does.
 */
function expiresAt(retentionHours: number, now: number): (deadSince: number | undefined) => string {
  return (deadSince) => (retentionHours <= 0 ? 'never' : new Date((deadSince ?? now) + retentionHours * 3_600_000).toISOString());
}
