// A stand-in for Kore.ai Agent AI's hooks API: the `demo` command's built-in receiver and the far end of
// every delivery test. It is deliberately stricter than the real service is known to be (schema, JWT, event
// order) so a test sees every mistake, and it can be told to misbehave (status, delay, reset) so delivery's
// retry and "unknown outcome" paths can be exercised on 127.0.0.1.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { tokenProblem } from './agentai-auth.js';
import { FakeConversationDetails, type FakeDetailsOptions } from './agentai-details.js';
import { ConversationOrder } from './agentai-order.js';
import { labelItem, parseHookBody, type HookItem } from './agentai-schemas.js';

export interface FakeBot {
  botId: string;
  clientId: string;
  clientSecret: string;
}

export interface FakeAgentAiOptions {
  bots: FakeBot[];
  /** Accepted path prefixes; the seeds show all three. */
  hooksPaths?: string[];
  tokenHeader?: 'token' | 'auth' | 'either';
  host?: string;
  port?: number;
  /** The Conversation Details endpoint (agentai-details.ts). */
  details?: FakeDetailsOptions;
}

export interface Fault {
  /** Answer with this status without processing. */
  status?: number;
  retryAfter?: string;
  /** Wait before answering. Without `status` the call is processed first: a slow Agent AI that did its job. */
  delayMs?: number;
  /** before: drop the connection unprocessed; after: process, then drop without answering. */
  reset?: 'before' | 'after';
  /** How many matching requests this fault applies to (default 1). */
  times?: number;
  match?: (body: unknown) => boolean;
  /** Response body for a `status` fault. */
  body?: string;
}

export interface ReceivedCall {
  seq: number;
  receivedAt: number;
  path: string;
  botId: string;
  conversationId: string;
  /** For people (timelines, test failures): "NA entry A + TRIGGER_SUMMARY_EVENT". Code reads `items`. */
  label: string;
  /** What the call told Agent AI, parsed (empty unless it was a valid hooks body). */
  items: readonly HookItem[];
  body: unknown;
  /** 0 when no answer was sent (connection reset). */
  status: number;
  /** Processed: Agent AI "knows" it, whether or not the client saw the answer. */
  accepted: boolean;
  violations: string[];
}

export const DEFAULT_FAKE_HOOKS_PATHS: readonly string[] = ['/agentassist/api/v1/hooks', '/agentai/api/v1/hooks', '/api/v1/hooks'];

// The seed's documented answer for a wrong botId, verbatim.
const UNKNOWN_BOT_MESSAGE = 'Linked bot details could not be found. Please verify that the botId provided in the request body is correct.';
const MAX_BODY_BYTES = 1024 * 1024;

interface Answer {
  status: number;
  payload: unknown;
}

export class FakeAgentAi {
  readonly url: string;
  /** POST /api/public/bot/{botId}/conversationDetails; script it or read its requests here. */
  readonly details: FakeConversationDetails;
  readonly #server: Server;
  readonly #bots: ReadonlyMap<string, FakeBot>;
  readonly #paths: readonly string[];
  readonly #tokenHeader: 'token' | 'auth' | 'either';
  #calls: ReceivedCall[] = [];
  #violations: string[] = [];
  #faults: Array<Fault & { remaining: number }> = [];
  #orders = new Map<string, ConversationOrder>();
  #seq = 0;
  readonly #timers = new Set<NodeJS.Timeout>();
  /** Client connections open now, and requests still being handled (read, processed or held by a fault). */
  readonly #connections = new Set<Socket>();
  #handling = 0;

  private constructor(server: Server, opts: FakeAgentAiOptions) {
    this.#server = server;
    server.on('connection', (socket: Socket) => {
      this.#connections.add(socket);
      socket.once('close', () => this.#connections.delete(socket));
    });
    this.#bots = new Map(opts.bots.map((b) => [b.botId, b]));
    this.#paths = (opts.hooksPaths ?? DEFAULT_FAKE_HOOKS_PATHS).map((p) => p.replace(/\/+$/, ''));
    this.#tokenHeader = opts.tokenHeader ?? 'either';
    this.details = new FakeConversationDetails(this.#bots, opts.details);
    const addr = server.address();
    if (addr === null || typeof addr === 'string') throw new Error('FakeAgentAi must listen on TCP');
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    this.url = `http://${host}:${addr.port}`;
  }

  static async start(opts: FakeAgentAiOptions): Promise<FakeAgentAi> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const fake = new FakeAgentAi(server, opts);
    server.on('request', (req, res) => {
      fake.#handling += 1;
      fake
        .#handle(req, res)
        .catch(() => {
          if (!res.headersSent && !res.destroyed) answer(res, { status: 500, payload: { code: 500, message: 'fake receiver error' } });
        })
        .finally(() => (fake.#handling -= 1));
    });
    return fake;
  }

  calls(): ReceivedCall[] {
    return [...this.#calls];
  }

  accepted(conversationId?: string): ReceivedCall[] {
    return this.#calls.filter((c) => c.accepted && (conversationId === undefined || c.conversationId === conversationId));
  }

  labels(conversationId: string): string[] {
    return this.accepted(conversationId).map((c) => c.label);
  }

  violations(): string[] {
    return [...this.#violations];
  }

  inject(fault: Fault): void {
    this.#faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  /**
   * Resolves once no client holds a connection and no request is being handled: after a client process was
   * killed, whatever it had on the wire has arrived (and been recorded) or been cut off.
   */
  whenQuiet(timeoutMs = 5000): Promise<void> {
    return this.waitFor(() => this.#connections.size === 0 && this.#handling === 0, timeoutMs);
  }

  /** Resolves once no request is being handled (one held by a slow-answer fault has been answered). */
  whenAnswered(timeoutMs = 5000): Promise<void> {
    return this.waitFor(() => this.#handling === 0, timeoutMs);
  }

  async waitFor(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() >= deadline) throw new Error(`FakeAgentAi.waitFor: condition not met within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  reset(): void {
    this.#calls = [];
    this.#violations = [];
    this.#faults = [];
    this.#orders = new Map();
    this.#seq = 0;
    this.details.reset();
  }

  async close(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    if (raw === undefined) return; // the client went away mid-body, or sent too much
    const body = parseJson(raw);
    const call: ReceivedCall = {
      seq: ++this.#seq,
      receivedAt: Date.now(),
      path: (req.url ?? '').split('?')[0] ?? '',
      botId: '',
      conversationId: conversationIdOf(body),
      label: '',
      items: [],
      body,
      status: 0,
      accepted: false,
      violations: [],
    };
    this.#calls.push(call);

    const fault = this.#takeFault(body);
    if (fault?.reset === 'before') {
      await this.#sleep(fault.delayMs);
      drop(res);
      return;
    }
    if (fault?.status !== undefined) {
      await this.#sleep(fault.delayMs);
      const headers: Record<string, string> = fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {};
      call.status = fault.status;
      send(res, fault.status, fault.body ?? JSON.stringify({ code: fault.status, message: 'injected fault' }), headers);
      return;
    }

    const result = await this.#process(req, call, body);
    await this.#sleep(fault?.delayMs);
    if (fault?.reset === 'after') {
      drop(res);
      return;
    }
    call.status = result.status;
    answer(res, result);
  }

  async #process(req: IncomingMessage, call: ReceivedCall, body: unknown): Promise<Answer> {
    const detailsBot = FakeConversationDetails.botIdOf(call.path);
    if (detailsBot !== undefined) {
      call.botId = detailsBot;
      call.label = 'conversationDetails';
      return this.details.answer(req, detailsBot, body);
    }
    if (req.method !== 'POST') return this.#reject(call, 405, `method ${req.method ?? '?'} is not POST`);
    const botId = this.#botIdFromPath(call.path);
    if (botId === undefined) return this.#reject(call, 404, `unknown path ${call.path}`);
    call.botId = botId;
    const bot = this.#bots.get(botId);
    if (!bot) return this.#reject(call, 400, `unknown botId ${botId}`, UNKNOWN_BOT_MESSAGE);

    const authProblem = await tokenProblem(this.#token(req), bot);
    if (authProblem) return this.#reject(call, 401, authProblem);

    const parsed = parseHookBody(body);
    if (!parsed.ok) return this.#reject(call, 400, `invalid body: ${parsed.error}`);
    if (parsed.botId !== botId) return this.#reject(call, 400, `body botId ${parsed.botId} differs from path botId ${botId}`);

    let order = this.#orders.get(parsed.conversationId);
    if (!order) this.#orders.set(parsed.conversationId, (order = new ConversationOrder()));
    call.label = parsed.items.map(labelItem).join(' + ');
    call.items = parsed.items;
    for (const item of parsed.items) for (const v of order.accept(item)) this.#violation(call, v);
    call.accepted = true;
    this.details.observe(parsed.conversationId, parsed.items.map(labelItem), body);
    return { status: 200, payload: { STATUS: 'OK' } };
  }

  #reject(call: ReceivedCall, status: number, violation: string, message = violation): Answer {
    this.#violation(call, violation);
    return { status, payload: { code: status, message } };
  }

  #violation(call: ReceivedCall, text: string): void {
    call.violations.push(text);
    this.#violations.push(`${call.conversationId || '(no conversationId)'}: ${text}`);
  }

  #botIdFromPath(path: string): string | undefined {
    for (const prefix of this.#paths) {
      if (!path.startsWith(`${prefix}/`)) continue;
      const rest = path.slice(prefix.length + 1);
      if (rest === '' || rest.includes('/')) continue;
      try {
        return decodeURIComponent(rest);
      } catch {
        return undefined;
      }
    }
    return undefined;
  }

  #token(req: IncomingMessage): string | undefined {
    const pick = (name: 'token' | 'auth'): string | undefined => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    if (this.#tokenHeader === 'either') return pick('token') ?? pick('auth');
    return pick(this.#tokenHeader);
  }

  #takeFault(body: unknown): Fault | undefined {
    const index = this.#faults.findIndex((f) => f.match === undefined || f.match(body));
    const fault = this.#faults[index];
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.#faults.splice(index, 1);
    return fault;
  }

  #sleep(ms: number | undefined): Promise<void> {
    if (!ms || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.#timers.delete(t);
        resolve();
      }, ms);
      this.#timers.add(t);
    });
  }
}

function answer(res: ServerResponse, a: Answer): void {
  send(res, a.status, JSON.stringify(a.payload), {});
}

function send(res: ServerResponse, status: number, text: string, headers: Record<string, string>): void {
  // The client may have timed out and closed the socket while a delayed answer was pending.
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function drop(res: ServerResponse): void {
  const socket = res.socket;
  if (!socket) return;
  // An RST rather than a FIN: what a crashing proxy or load balancer looks like to the client.
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.destroy();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(undefined));
    req.on('aborted', () => resolve(undefined));
  });
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    // Kept as text so a test can still see what arrived.
    return raw;
  }
}

function conversationIdOf(body: unknown): string {
  if (typeof body === 'object' && body !== null && 'conversationId' in body && typeof body.conversationId === 'string') {
    return body.conversationId;
  }
  return '';
}
