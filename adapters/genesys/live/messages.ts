// Digital message text (facts §2.7): notifications list message ids only, so the text is fetched with the
// bulk endpoint, one call per conversation and frame. v262 has `normalizedMessage.text`; older payloads
// `textBody`. inbound = the customer (USER), outbound = the agent (AGENT). Ids are deduped (the processor
// reports each once; a reconnect or two topics may still repeat one).
import type { MessageFact } from '../../../src/core/facts.js';
import type { DigitalMessageRef } from '../frame-processor.js';
import type { GenesysApi } from './api.js';
import { RecentKeys } from './ttl-cache.js';
import { withDeadline } from './timing.js';
import { rec } from './records.js';

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

export const messageDedupeKey = (conversationId: string, messageId: string): string => `genesys:${conversationId}:message:${messageId}`;

export interface MessageContext {
  readonly queueId?: string;
}

export class MessageFetcher {
  private readonly seen = new RecentKeys(100_000);

  constructor(
    private readonly api: GenesysApi,
    private readonly timeoutMs: number,
    private readonly now: () => number,
    private readonly onError: (err: unknown, conversationId: string) => void,
  ) {}

  /** The refs' messages as facts, in the refs' order; missing or textless messages are skipped. */
  async fetch(refs: readonly DigitalMessageRef[], context: MessageContext): Promise<MessageFact[]> {
    const fresh = refs.filter((r) => !this.seen.has(`${r.conversationId}:${r.messageId}`));
    if (fresh.length === 0) return [];
    const conversationId = fresh[0]?.conversationId ?? '';
    const entities = await withDeadline(
      this.api.getMessages(conversationId, fresh.map((r) => r.messageId)).catch((err: unknown) => {
        this.onError(err, conversationId);
        return [] as unknown[];
      }),
      this.timeoutMs,
      [] as unknown[],
    );
    const byId = new Map<string, Record<string, unknown>>();
    for (const e of entities) {
      const id = text(rec(e).id);
      if (id) byId.set(id, rec(e));
    }
    const facts: MessageFact[] = [];
    for (const ref of fresh) {
      const data = byId.get(ref.messageId);
      if (!data) continue; // not fetched (error, timeout): a later frame or reconciliation may bring it again
      this.seen.add(`${ref.conversationId}:${ref.messageId}`);
      const body = text(rec(data.normalizedMessage).text) ?? text(data.textBody);
      if (!body) continue; // typing, presence, media-only: nothing to forward
      const direction = data.direction === 'inbound' || data.direction === 'outbound' ? data.direction : ref.direction;
      const at = Date.parse(String(data.timestamp ?? ref.messageTime ?? ''));
      facts.push({
        type: 'message',
        conversationId: ref.conversationId,
        dedupeKey: messageDedupeKey(ref.conversationId, ref.messageId),
        at: Number.isFinite(at) ? at : this.now(),
        source: 'genesys',
        experience: 'chat',
        ...(context.queueId ? { queueId: context.queueId } : {}),
        author: direction === 'inbound' ? 'USER' : 'AGENT',
        text: body,
        messageId: ref.messageId,
        ...(direction === 'outbound' && ref.userId ? { agentIdentity: ref.userId } : {}),
      });
    }
    return facts;
  }
}
