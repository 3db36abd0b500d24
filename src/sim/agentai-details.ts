// The fake Agent AI's Conversation Details and Summary endpoint (seed:
// kore-conversation-details-summary-api.txt): POST /api/public/bot/{botId}/conversationDetails with the JWT
// in the `auth` header, answering in the shape of the seed's sample response. The history is the
// conversation's user/agent message hooks as the fake received them, or a scripted one; skip/limit page it.
// Like the real service, the summary exists only some time after TRIGGER_SUMMARY_EVENT arrived
// (`summaryDelayMs`), so a client has to poll for it.
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { tokenProblem } from './agentai-auth.js';

export interface FakeDetailsOptions {
  /** How long after TRIGGER_SUMMARY_EVENT the summary appears (default 1000 ms). */
  readonly summaryDelayMs?: number;
  /** Header carrying the JWT (default `auth`, as the seed's curl). */
  readonly tokenHeader?: 'token' | 'auth' | 'either';
  /** Page size when the request has no limit (default 100). */
  readonly defaultLimit?: number;
  readonly now?: () => number;
}

export interface ScriptedMessage {
  readonly author: 'USER' | 'AGENT' | 'BOT';
  readonly text: string;
  /** Epoch ms; defaults to the order of the script. */
  readonly at?: number;
}

export interface ScriptedConversation {
  /** Replaces the history built from received message hooks. */
  readonly history?: readonly ScriptedMessage[];
  /** Replaces the generated summary text. */
  readonly summary?: string;
  /** The summary is there at once, TRIGGER_SUMMARY_EVENT or not (for CLI tests). */
  readonly summaryAvailable?: boolean;
}

export interface DetailsRequestRecord {
  readonly at: number;
  readonly botId: string;
  readonly status: number;
  readonly body: unknown;
}

export interface DetailsAnswer {
  readonly status: number;
  readonly payload: unknown;
}

interface BotSecret {
  readonly clientId: string;
  readonly clientSecret: string;
}

interface Known {
  messages: ScriptedMessage[];
  triggeredAt?: number;
  script?: ScriptedConversation;
  firstSeen: number;
}

const PATH = /^\/api\/public\/bot\/([^/]+)\/conversationDetails$/;

const requestSchema = z.object({
  conversationId: z.string().min(1).optional(),
  sessionId: z.string().min(1).optional(),
  callId: z.string().min(1).optional(),
  isSummaryRequired: z.boolean().optional(),
  lang: z.string().optional(),
  skip: z.number().int().min(0).optional(),
  offset: z.number().int().min(0).optional(),
  limit: z.number().int().min(1).optional(),
});

const messageHookSchema = z.object({
  conversationId: z.string(),
  query: z.string(),
  author: z.object({ type: z.enum(['USER', 'AGENT']) }),
});

export class FakeConversationDetails {
  readonly #bots: ReadonlyMap<string, BotSecret>;
  readonly #delayMs: number;
  readonly #tokenHeader: 'token' | 'auth' | 'either';
  readonly #defaultLimit: number;
  readonly #now: () => number;
  #known = new Map<string, Known>();
  #requests: DetailsRequestRecord[] = [];

  constructor(bots: ReadonlyMap<string, BotSecret>, opts: FakeDetailsOptions = {}) {
    this.#bots = bots;
    this.#delayMs = opts.summaryDelayMs ?? 1000;
    this.#tokenHeader = opts.tokenHeader ?? 'auth';
    this.#defaultLimit = opts.defaultLimit ?? 100;
    this.#now = opts.now ?? Date.now;
  }

  /** The bot id when `path` is the details route. */
  static botIdOf(path: string): string | undefined {
    const m = PATH.exec(path);
    if (!m?.[1]) return undefined;
    try {
      return decodeURIComponent(m[1]);
    } catch {
      return undefined;
    }
  }

  /** Sets (or extends) a conversation's scripted history and summary. */
  script(conversationId: string, script: ScriptedConversation): void {
    const known = this.#entry(conversationId);
    known.script = { ...known.script, ...script };
  }

  /** Told of every hooks body the fake accepted: message hooks build the history, the trigger starts the clock. */
  observe(conversationId: string, labels: readonly string[], body: unknown): void {
    const known = this.#entry(conversationId);
    const message = messageHookSchema.safeParse(body);
    if (message.success) known.messages.push({ author: message.data.author.type, text: message.data.query, at: this.#now() });
    if (labels.includes('TRIGGER_SUMMARY_EVENT') && known.triggeredAt === undefined) known.triggeredAt = this.#now();
  }

  /** When the summary of a conversation becomes (or became) available; undefined if it never will. */
  summaryReadyAt(conversationId: string): number | undefined {
    const known = this.#known.get(conversationId);
    if (!known) return undefined;
    if (known.script?.summaryAvailable) return known.firstSeen;
    return known.triggeredAt === undefined ? undefined : known.triggeredAt + this.#delayMs;
  }

  requests(): DetailsRequestRecord[] {
    return [...this.#requests];
  }

  reset(): void {
    this.#known = new Map();
    this.#requests = [];
  }

  async answer(req: IncomingMessage, botId: string, body: unknown): Promise<DetailsAnswer> {
    const result = await this.#answer(req, botId, body);
    this.#requests.push({ at: this.#now(), botId, status: result.status, body });
    return result;
  }

  async #answer(req: IncomingMessage, botId: string, body: unknown): Promise<DetailsAnswer> {
    if (req.method !== 'POST') return error(405, `method ${req.method ?? '?'} is not POST`);
    const bot = this.#bots.get(botId);
    if (!bot) return error(400, 'Linked bot details could not be found. Please verify that the botId is correct.');
    const authProblem = await tokenProblem(this.#token(req), bot);
    if (authProblem) return error(401, authProblem);
    const parsed = requestSchema.safeParse(body);
    if (!parsed.success) return error(400, `invalid body: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const r = parsed.data;
    // The seed: "If both are present, the session ID is considered."
    const id = r.sessionId ?? r.callId ?? r.conversationId;
    if (id === undefined) return error(400, 'one of sessionId, callId or conversationId is required');
    const known = this.#known.get(id);
    if (!known) return error(404, `no conversation ${id}`);

    const all = this.#history(id, known);
    const skip = r.skip ?? r.offset ?? 0;
    const limit = r.limit ?? this.#defaultLimit;
    const page = all.slice(skip, skip + limit);
    const readyAt = this.summaryReadyAt(id);
    const withSummary = r.isSummaryRequired === true && readyAt !== undefined && this.#now() >= readyAt;
    const firstAgent = known.messages.find((m) => m.author === 'AGENT')?.at;
    return {
      status: 200,
      payload: {
        conversationInfo: {
          userId: `u-${id}`,
          callId: id,
          sessionStartTime: new Date(known.firstSeen).toISOString(),
          agentHandOffTime: new Date(firstAgent ?? known.firstSeen).toISOString(),
          userDetails: { firstName: '', lastName: '', phoneNumber: null },
          currentTask: 'null',
          sessionId: `s-${id}`,
        },
        conversationFlow: [{ status: 'completedTask', messageStoreId: 'xxx', taskName: 'ConnectToAgent' }],
        conversationHistory: page,
        ...(withSummary
          ? { summary: { ConversationSummary: this.#summaryText(id, known), time: new Date(readyAt).toISOString() } }
          : {}),
      },
    };
  }

  #history(id: string, known: Known): unknown[] {
    const source = known.script?.history ?? known.messages;
    return source.map((m, index) => {
      const at = m.at ?? known.firstSeen + index;
      const iso = new Date(at).toISOString();
      return {
        channels: [{ type: 'genesys' }],
        type: m.author === 'USER' ? 'incoming' : 'outgoing',
        status: m.author === 'USER' ? 'received' : 'pending',
        createdOn: iso,
        lmodifiedOn: iso,
        createdBy: m.author === 'USER' ? `u-${id}` : m.author === 'AGENT' ? 'agent' : 'bot',
        components: [{ _id: `cp-${id}-${index}`, cT: 'text', data: { text: m.text }, thumbnails: [] }],
        isBB: 0,
        lang: 'en',
        timestampValue: at,
        sT: 0,
      };
    });
  }

  #summaryText(id: string, known: Known): string {
    if (known.script?.summary !== undefined) return known.script.summary;
    const messages = known.script?.history ?? known.messages;
    const firstUser = messages.find((m) => m.author === 'USER')?.text;
    return `Conversation ${id}: ${messages.length} message(s).${firstUser ? ` The customer asked: "${firstUser}".` : ''}`;
  }

  #entry(conversationId: string): Known {
    let known = this.#known.get(conversationId);
    if (!known) this.#known.set(conversationId, (known = { messages: [], firstSeen: this.#now() }));
    return known;
  }

  #token(req: IncomingMessage): string | undefined {
    const pick = (name: 'token' | 'auth'): string | undefined => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    if (this.#tokenHeader === 'either') return pick('auth') ?? pick('token');
    return pick(this.#tokenHeader);
  }
}

function error(status: number, message: string): DetailsAnswer {
  return { status, payload: { code: status, message } };
}
