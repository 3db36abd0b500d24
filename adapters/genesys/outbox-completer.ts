// What Genesys facts leave out so they can be stored the moment a frame arrives, filled in when the hook call
// is sent (issue 10 "durable before slow"): agent name and e-mail (Users API), queue name (Routing API) and the
// text of digital messages (stored with `text: ''` and a textRef). Names are a nicety: a lookup that fails or
// is slow sends what is known. A message text is not: a failed fetch is tried again (the conversation's later
// calls, its END_OF_CONVERSATION included, wait behind it) until a deadline, then the call is given up on as a
// visible dead letter and the conversation goes on. A message that Genesys holds with no text at all (media
// only, a receipt or typing event) is not forwarded: it is given up on with that reason.
import { z } from 'zod';
import { capMessageText, capName, FieldCaps, type HookBodyField } from '../../src/agentai/limits.js';
import type { Completion, OutboxCompleter, PendingCall } from '../../src/core/adapter.js';
import type { FetchedMessage } from './live/messages.js';
import { parseTextRef } from './live/messages.js';

export interface CompletionSources {
  /** Bounded in time; undefined when unknown or too slow. */
  user(userId: string): Promise<{ readonly name?: string; readonly email?: string } | undefined>;
  queue(queueId: string): Promise<{ readonly name?: string } | undefined>;
  /** Rejects when the text cannot be fetched now (network, 5xx, timeout). */
  message(conversationId: string, messageId: string): Promise<FetchedMessage>;
}

export interface GenesysCompleterOptions {
  /** How long after a message was queued its text may still be fetched before the call is given up on. */
  readonly messageTextDeadlineMs: number;
  readonly now: () => number;
  readonly onFetchFailed?: (conversationId: string, error: string) => void;
  /** What was filled in longer than Agent AI takes and was cut (core's caps; the bodies built at ingest are capped in core). */
  readonly onTruncated?: (conversationId: string, fields: readonly HookBodyField[]) => void;
}

const CustomFields = z.object({ agentEmail: z.string().optional(), queueId: z.string().optional(), queueName: z.string().optional() }).loose();
const Participant = z.object({ identity: z.string(), name: z.string(), customFields: CustomFields.optional() }).loose();
const EventsBody = z.object({ events: z.tuple([z.object({ participant: Participant.optional() }).loose()]) }).loose();
const MessageBody = z.object({ query: z.string(), author: z.object({ type: z.enum(['USER', 'AGENT']) }).loose() }).loose();

type ParticipantJson = z.infer<typeof Participant>;

const MIN_RETRY_MS = 250;
const MAX_RETRY_MS = 60_000;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export class GenesysOutboxCompleter implements OutboxCompleter {
  constructor(
    private readonly sources: CompletionSources,
    private readonly o: GenesysCompleterOptions,
  ) {}

  async complete(call: PendingCall): Promise<Completion> {
    if (call.kind === 'message') return this.message(call);
    if (call.kind === 'transfer' || call.kind === 'end') return this.names(call);
    return { kind: 'ready', bodyJson: call.bodyJson };
  }

  private async names(call: PendingCall): Promise<Completion> {
    const parsed = EventsBody.safeParse(parseJson(call.bodyJson));
    const event = parsed.success ? parsed.data.events[0] : undefined;
    const participant = event?.participant;
    if (!parsed.success || !event || !participant) return { kind: 'ready', bodyJson: call.bodyJson };
    const completed = await this.participant(call.conversationId, participant);
    if (completed === participant) return { kind: 'ready', bodyJson: call.bodyJson };
    return { kind: 'ready', bodyJson: JSON.stringify({ ...parsed.data, events: [{ ...event, participant: completed }] }) };
  }

  /** The participant with what the directory knows added; the same object when nothing was missing or found. */
  private async participant(conversationId: string, p: ParticipantJson): Promise<ParticipantJson> {
    const fields = p.customFields ?? {};
    // The body names an agent by id when the notification had no name (bodies.ts).
    const needUser = p.name === p.identity || fields.agentEmail === undefined;
    const queueId = fields.queueId;
    const [user, queue] = await Promise.all([
      needUser ? this.sources.user(p.identity) : undefined,
      queueId !== undefined && fields.queueName === undefined ? this.sources.queue(queueId) : undefined,
    ]);
    const { cap, truncated } = new FieldCaps<HookBodyField>();
    const capped = (field: HookBodyField, value: string): string => cap(field, value, capName);
    const name = p.name === p.identity && user?.name ? capped('agentName', user.name) : undefined;
    const added = {
      ...(fields.agentEmail === undefined && user?.email ? { agentEmail: capped('agentEmail', user.email) } : {}),
      ...(queue?.name ? { queueName: capped('queueName', queue.name) } : {}),
    };
    if (name === undefined && Object.keys(added).length === 0) return p;
    if (truncated.length) this.o.onTruncated?.(conversationId, truncated);
    return { ...p, ...(name !== undefined ? { name } : {}), customFields: { ...fields, ...added } };
  }

  private async message(call: PendingCall): Promise<Completion> {
    if (call.ref === undefined) return { kind: 'ready', bodyJson: call.bodyJson };
    const target = parseTextRef(call.ref);
    const parsed = MessageBody.safeParse(parseJson(call.bodyJson));
    if (!target || !parsed.success) return { kind: 'give-up', reason: `genesys: message reference "${call.ref}" or its body cannot be read` };
    let fetched: FetchedMessage;
    try {
      fetched = await this.sources.message(target.conversationId, target.messageId);
    } catch (err) {
      return this.notYet(call, err instanceof Error ? err.message : String(err));
    }
    switch (fetched.kind) {
      case 'missing':
        return this.notYet(call, `message ${target.messageId} not returned by Genesys yet`);
      case 'no-text':
        return { kind: 'give-up', reason: `not forwarded: Genesys message ${target.messageId} has no text (media only, a receipt or a typing event)` };
      case 'text': {
        // The fetched direction is authoritative; the frame only knew whose leg listed the message.
        const author = fetched.direction === undefined ? parsed.data.author.type : fetched.direction === 'inbound' ? 'USER' : 'AGENT';
        const query = capMessageText(fetched.text);
        if (query !== fetched.text) this.o.onTruncated?.(call.conversationId, ['text']);
        const body = { ...parsed.data, query, author: { ...parsed.data.author, type: author }, sendUserMessage: author === 'USER', sendAgentMessage: author === 'AGENT' };
        return { kind: 'ready', bodyJson: JSON.stringify(body) };
      }
    }
  }

  private notYet(call: PendingCall, error: string): Completion {
    this.o.onFetchFailed?.(call.conversationId, error);
    const waited = this.o.now() - call.queuedAt;
    if (waited >= this.o.messageTextDeadlineMs) {
      return { kind: 'give-up', reason: `genesys: message text could not be fetched within ${this.o.messageTextDeadlineMs} ms (GENESYS_MESSAGE_TEXT_DEADLINE_MS): ${error}` };
    }
    // Spaced out as the wait grows, so a message that keeps failing does not eat the org's API budget.
    const retryInMs = Math.min(MAX_RETRY_MS, Math.max(MIN_RETRY_MS, Math.round(waited / 2)));
    return { kind: 'retry', error: `genesys: message text not fetched yet: ${error}`, retryInMs };
  }
}
