// `agentai-bridge dead-letters list | retry <id>|--all | drop <id>`: what delivery gave up on, and why.
// Works on the store directly (the daemon may be running: SQLite WAL allows it); a retried row is picked up
// by the running daemon's next pass over the outbox, or at its next start. Under BRIDGE_STORE=postgres it
// lists and changes the whole cluster's dead letters, and any replica's sweep picks a retried row up.
import { EXIT, println, type CliContext } from './context.js';
import { withConfiguredStore } from './setup.js';

const USAGE = 'usage: agentai-bridge dead-letters list [--json] | retry <id>|--all | drop <id>';

export async function deadLettersCommand(args: string[], ctx: CliContext): Promise<number> {
  const [verb, target] = args;
  if (!verb || !['list', 'retry', 'drop'].includes(verb)) {
    println(ctx.stderr, USAGE);
    return EXIT.usage;
  }
  return withConfiguredStore(ctx, async (store) => {
    if (verb === 'list') {
      const rows = await store.deadLetters();
      if (target === '--json') {
        println(ctx.stdout, JSON.stringify(rows.map(({ bodyJson, ...r }) => ({ ...r, body: JSON.parse(bodyJson) as unknown })), null, 2));
        return EXIT.ok;
      }
      if (rows.length === 0) println(ctx.stdout, 'no dead letters');
      for (const r of rows) {
        println(ctx.stdout, `#${r.id}  ${new Date(r.createdAt).toISOString()}  conversation ${r.conversationId}  bot ${r.bot}  ${r.label}`);
        println(ctx.stdout, `      ${r.blocking ? 'holds its conversation back; ' : ''}attempts ${r.attempts}${r.lastStatus !== undefined ? `, last HTTP ${r.lastStatus}` : ''}: ${r.lastError ?? 'no reason recorded'}`);
      }
      return EXIT.ok;
    }
    if (verb === 'retry') {
      if (target !== '--all' && !/^\d+$/.test(target ?? '')) {
        println(ctx.stderr, USAGE);
        return EXIT.usage;
      }
      const n = await store.retryDead(target === '--all' ? 'all' : Number(target), Date.now());
      println(ctx.stdout, n ? `${n} dead letter(s) queued again; the daemon delivers them in order with their conversation` : 'no such dead letter');
      return n ? EXIT.ok : EXIT.failure;
    }
    if (!/^\d+$/.test(target ?? '')) {
      println(ctx.stderr, USAGE);
      return EXIT.usage;
    }
    const dropped = await store.dropDead(Number(target));
    println(ctx.stdout, dropped ? `dead letter #${target} dropped` : 'no such dead letter');
    return dropped ? EXIT.ok : EXIT.failure;
  });
}
