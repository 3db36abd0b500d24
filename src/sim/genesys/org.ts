// The simulated org's data: users, queues, and every conversation as last published, so REST answers
// (GET conversation, the analytics details query, message bulk) agree with what the socket said, plus
// what the REST API wrote on participants (participant-data.ts), laid over what was published.
import { ParticipantData, type SimWrapup } from './participant-data.js';
import type { SimMessage } from './script.js';

export interface SimUser {
  readonly id: string;
  readonly name: string;
  readonly email: string;
}

export interface SimQueue {
  readonly id: string;
  readonly name: string;
}

interface StoredConversation {
  body: Record<string, unknown>;
  startMs: number;
  endMs: number | undefined;
  readonly queueIds: Set<string>;
  readonly userIds: Set<string>;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function time(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : undefined;
}

const MEDIA = ['calls', 'callbacks', 'chats', 'messages', 'emails'] as const;
const DONE = new Set(['disconnected', 'terminated']);

export class SimOrg {
  readonly users = new Map<string, SimUser>();
  readonly queues = new Map<string, SimQueue>();
  private readonly conversations = new Map<string, StoredConversation>();
  private readonly messages = new Map<string, SimMessage>();
  private readonly written = new ParticipantData();

  addUser(user: SimUser): void {
    this.users.set(user.id, user);
  }

  addQueue(queue: SimQueue): void {
    this.queues.set(queue.id, queue);
  }

  addMessages(messages: readonly SimMessage[]): void {
    for (const m of messages) this.messages.set(m.id, m);
  }

  message(id: string): SimMessage | undefined {
    return this.messages.get(id);
  }

  /** A nested conversation body as published (queue/user topic); flattened bodies are not REST-shaped. */
  record(body: Record<string, unknown>): void {
    const id = body.id;
    if (typeof id !== 'string') return;
    const participants = Array.isArray(body.participants) ? body.participants.filter(isRecord) : [];
    let start = Infinity;
    let end = -Infinity;
    let open = false;
    const queueIds = new Set<string>();
    const userIds = new Set<string>();
    for (const p of participants) {
      start = Math.min(start, time(p.startTime) ?? time(p.connectedTime) ?? Infinity);
      if (typeof p.queueId === 'string') queueIds.add(p.queueId);
      if (typeof p.userId === 'string') userIds.add(p.userId);
      const legs = MEDIA.flatMap((m) => (Array.isArray(p[m]) ? (p[m] as unknown[]).filter(isRecord) : []));
      for (const leg of legs) {
        if (!DONE.has(String(leg.state))) open = true;
        end = Math.max(end, time(leg.disconnectedTime) ?? -Infinity);
      }
      end = Math.max(end, time(p.endTime) ?? -Infinity);
    }
    const existing = this.conversations.get(id);
    const stored: StoredConversation = existing ?? { body, startMs: start, endMs: undefined, queueIds, userIds };
    stored.body = body;
    stored.startMs = Math.min(stored.startMs, start);
    stored.endMs = !open && participants.length > 0 && Number.isFinite(end) ? end : undefined;
    for (const q of queueIds) stored.queueIds.add(q);
    for (const u of userIds) stored.userIds.add(u);
    this.conversations.set(id, stored);
  }

  conversation(id: string): Record<string, unknown> | undefined {
    const c = this.conversations.get(id);
    if (!c) return undefined;
    return {
      ...this.written.overlay(c.body),
      startTime: new Date(c.startMs).toISOString(),
      ...(c.endMs !== undefined ? { endTime: new Date(c.endMs).toISOString(), state: 'disconnected' } : { state: 'connected' }),
    };
  }

  /** A nested body about to be published: the participant data written through the API laid over it. */
  snapshot(body: Record<string, unknown>): Record<string, unknown> {
    return this.written.overlay(body);
  }

  /** A participant as GET /api/v2/conversations/{id} shows it; undefined for an unknown conversation or participant. */
  participant(conversationId: string, participantId: string): Record<string, unknown> | undefined {
    const participants = this.conversation(conversationId)?.participants;
    return Array.isArray(participants) ? participants.filter(isRecord).find((p) => p.id === participantId) : undefined;
  }

  /** The participant's attributes (as published, with the API's writes merged in); undefined if unknown. */
  participantAttributes(conversationId: string, participantId: string): Record<string, unknown> | undefined {
    const p = this.participant(conversationId, participantId);
    return p ? (isRecord(p.attributes) ? p.attributes : {}) : undefined;
  }

  /** PATCH .../participants/{pid}/attributes: merges keys; false when the conversation or participant is unknown. */
  patchParticipantAttributes(conversationId: string, participantId: string, attributes: Readonly<Record<string, string>>): boolean {
    if (!this.participant(conversationId, participantId)) return false;
    this.written.mergeAttributes(conversationId, participantId, attributes);
    return true;
  }

  participantWrapup(conversationId: string, participantId: string): SimWrapup | undefined {
    return this.written.wrapup(conversationId, participantId);
  }

  /** POST .../{media}/{id}/participants/{pid}/communications/{cid}/wrapup: false unless that participant has that communication. */
  setParticipantWrapup(conversationId: string, participantId: string, wrapup: SimWrapup): boolean {
    const legs = this.participant(conversationId, participantId)?.[wrapup.media];
    if (!Array.isArray(legs) || !legs.some((leg) => isRecord(leg) && leg.id === wrapup.communicationId)) return false;
    this.written.setWrapup(conversationId, participantId, wrapup);
    return true;
  }

  /** The analytics details query, as far as the bridge uses it: interval on start, queue/user predicates. */
  detailsQuery(query: unknown): Record<string, unknown> {
    const q = isRecord(query) ? query : {};
    const [fromText, toText] = typeof q.interval === 'string' ? q.interval.split('/') : [];
    const from = time(fromText) ?? -Infinity;
    const to = time(toText) ?? Infinity;
    const wantQueues = new Set<string>();
    const wantUsers = new Set<string>();
    const filters = Array.isArray(q.segmentFilters) ? q.segmentFilters.filter(isRecord) : [];
    for (const f of filters) {
      for (const p of Array.isArray(f.predicates) ? f.predicates.filter(isRecord) : []) {
        if (p.dimension === 'queueId' && typeof p.value === 'string') wantQueues.add(p.value);
        if (p.dimension === 'userId' && typeof p.value === 'string') wantUsers.add(p.value);
      }
    }
    const filtered = filters.length > 0;
    const matches = [...this.conversations.entries()]
      .filter(([, c]) => c.startMs >= from && c.startMs < to)
      .filter(([, c]) => !filtered || [...c.queueIds].some((x) => wantQueues.has(x)) || [...c.userIds].some((x) => wantUsers.has(x)))
      .sort((a, b) => a[1].startMs - b[1].startMs);
    const paging = isRecord(q.paging) ? q.paging : {};
    const size = typeof paging.pageSize === 'number' ? paging.pageSize : 25;
    const page = typeof paging.pageNumber === 'number' ? paging.pageNumber : 1;
    const slice = matches.slice((page - 1) * size, page * size);
    return {
      totalHits: matches.length,
      conversations: slice.map(([id, c]) => ({
        conversationId: id,
        conversationStart: new Date(c.startMs).toISOString(),
        ...(c.endMs !== undefined ? { conversationEnd: new Date(c.endMs).toISOString() } : {}),
        participants: [...c.queueIds].map((queueId) => ({ purpose: 'acd', sessions: [{ segments: [{ segmentType: 'interact', queueId }] }] })),
      })),
    };
  }
}
