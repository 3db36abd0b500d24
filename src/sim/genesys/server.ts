// A simulated Genesys Cloud org on 127.0.0.1: the REST endpoints the bridge calls through the SDK (reached
// with the SDK's setGateway over plain http) and the notification websocket, in the wire formats of
// ../../../../shared/genesys/notification-facts.md. It is product code: `agentai-bridge demo` runs on it.
// Behaviour modelled: client-credentials tokens with a lifetime, channels bound to their token (a token's
// expiry takes its channels down), one socket per channel, 1000 topics per channel, 20 channels per client
// (the 21st evicts the oldest unconnected one), heartbeats, {"message":"ping"} → pong, socket_closing,
// channel expiry, 429 with Retry-After. Faults are injected through the methods at the bottom. The routes
// that write on participants (attributes, wrap-up) are in participant-routes.ts.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { SimOrg } from './org.js';
import { participantRoute } from './participant-routes.js';
import { realClock, unrefTimer, type Clock } from '../../util/timers.js';

export interface GenesysSimOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  /** expires_in of each token. */
  readonly tokenTtlSeconds?: number;
  /** Heartbeat period (Genesys: ~30 s). */
  readonly heartbeatMs?: number;
  /** Channel lifetime (Genesys: 24 h); resubscribing extends it. */
  readonly channelTtlMs?: number;
  /** After socket_closing, the old socket is closed this much later (Genesys: up to one minute). */
  readonly closingGraceMs?: number;
  readonly maxTopicsPerChannel?: number;
  readonly maxChannels?: number;
  /** Topic prefixes this client may not subscribe (rejected with missing permissions), e.g. transcription. */
  readonly deniedTopicPrefixes?: readonly { prefix: string; permission: string }[];
  readonly port?: number;
  /** Time of tokens, channels, heartbeats and timed faults: the wall clock unless a test steps it. */
  readonly clock?: Clock;
}

interface Token {
  readonly value: string;
  expiresAt: number;
}

interface Channel {
  readonly id: string;
  readonly token: string;
  readonly topics: Set<string>;
  socket: WebSocket | undefined;
  heartbeat: unknown;
  expiresAt: number;
  lastUsed: number;
  expiryTimer: unknown;
}

export interface SimCounters {
  requests: number;
  tokens: number;
  channelsCreated: number;
  subscriptionCalls: number;
  conversationGets: number;
  analyticsQueries: number;
  messageBulkCalls: number;
  attributePatches: number;
  wrapupGets: number;
  wrapupPosts: number;
  rateLimited: number;
  /** API calls answered by failRequests(). */
  failed: number;
  socketsOpened: number;
  published: number;
  pings: number;
}

const JSON_TYPE = { 'content-type': 'application/json' };

export class GenesysSim {
  readonly org = new SimOrg();
  readonly counters: SimCounters = { requests: 0, tokens: 0, channelsCreated: 0, subscriptionCalls: 0, conversationGets: 0, analyticsQueries: 0, messageBulkCalls: 0, attributePatches: 0, wrapupGets: 0, wrapupPosts: 0, rateLimited: 0, failed: 0, socketsOpened: 0, published: 0, pings: 0 };
  readonly url: string;
  private readonly tokens = new Map<string, Token>();
  private readonly channels = new Map<string, Channel>();
  private readonly wss = new WebSocketServer({ noServer: true });
  private rateLimitLeft = 0;
  private socketsBlockedUntil = 0;
  private mutedUntil = 0;
  private rateLimitRetryAfter = 1;
  private readonly delays: { ms: number; path: RegExp | undefined; left: number }[] = [];
  private readonly failures: { status: number; method: string | undefined; path: RegExp | undefined; left: number }[] = [];
  private readonly o: Required<Omit<GenesysSimOptions, 'port' | 'deniedTopicPrefixes' | 'clock'>> & Pick<GenesysSimOptions, 'deniedTopicPrefixes'>;
  readonly clock: Clock;

  private constructor(
    private readonly server: Server,
    options: GenesysSimOptions,
  ) {
    this.o = {
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      tokenTtlSeconds: options.tokenTtlSeconds ?? 86_400,
      heartbeatMs: options.heartbeatMs ?? 30_000,
      channelTtlMs: options.channelTtlMs ?? 24 * 3600_000,
      closingGraceMs: options.closingGraceMs ?? 60_000,
      maxTopicsPerChannel: options.maxTopicsPerChannel ?? 1000,
      maxChannels: options.maxChannels ?? 20,
      deniedTopicPrefixes: options.deniedTopicPrefixes,
    };
    this.clock = options.clock ?? realClock;
    const addr = server.address();
    if (addr === null || typeof addr === 'string') throw new Error('GenesysSim must listen on TCP');
    this.url = `http://127.0.0.1:${addr.port}`;
  }

  static async start(options: GenesysSimOptions): Promise<GenesysSim> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const sim = new GenesysSim(server, options);
    server.on('request', (req, res) => sim.handle(req, res));
    server.on('upgrade', (req, socket, head) => sim.upgrade(req, socket, head));
    return sim;
  }

  async close(): Promise<void> {
    for (const c of this.channels.values()) this.dropChannel(c, 1001);
    this.channels.clear();
    for (const ws of this.wss.clients) ws.terminate();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---------------------------------------------------------------------------------------------------
  // Publishing (the player calls this)

  /** Delivers one event to every connected channel subscribed to its topic; records nested bodies (and
   * lays what the API wrote on participants over them, as Genesys' later events would carry it). */
  publish(topic: string, body: Record<string, unknown>): number {
    const nested = /^v2\.(routing\.queues|users)\.[^.]+\.conversations$/.test(topic);
    if (nested) this.org.record(body);
    const text = JSON.stringify({ topicName: topic, version: '2', eventBody: nested ? this.org.snapshot(body) : body, metadata: { CorrelationId: randomUUID() } });
    let delivered = 0;
    for (const c of this.channels.values()) {
      if (!c.topics.has(topic) || c.socket?.readyState !== 1 || this.muted) continue;
      c.socket.send(text);
      delivered += 1;
    }
    this.counters.published += 1;
    return delivered;
  }

  /** Topics some connected channel is subscribed to right now. */
  subscribedTopics(): Set<string> {
    const out = new Set<string>();
    for (const c of this.channels.values()) if (c.socket) for (const t of c.topics) out.add(t);
    return out;
  }

  channelCount(): number {
    return this.channels.size;
  }

  connectedSockets(): number {
    return [...this.channels.values()].filter((c) => c.socket?.readyState === 1).length;
  }

  // ---------------------------------------------------------------------------------------------------
  // Faults

  /** Every socket drops (network blip): channels and their subscriptions survive. */
  dropSockets(): number {
    let n = 0;
    for (const c of this.channels.values()) {
      if (!c.socket) continue;
      c.socket.terminate();
      n += 1;
    }
    return n;
  }

  /** Maintenance: socket_closing on every socket, which is closed `closingGraceMs` later. */
  socketClosing(): number {
    let n = 0;
    for (const c of this.channels.values()) {
      const ws = c.socket;
      if (!ws) continue;
      ws.send(JSON.stringify({ topicName: 'v2.system.socket_closing', eventBody: { channelId: c.id, systemTopicType: 'socket_closing', message: 'WebSocket will close for maintenance' }, metadata: { CorrelationId: randomUUID() } }));
      unrefTimer(this.clock.setTimeout(() => ws.close(1001, 'maintenance'), this.o.closingGraceMs));
      n += 1;
    }
    return n;
  }

  /** Every channel expires: sockets get {"result":"404"} and close; HEAD answers 404. */
  expireChannels(): number {
    const all = [...this.channels.values()];
    for (const c of all) {
      c.socket?.send(JSON.stringify({ result: '404', message: 'channel not found' }));
      this.dropChannel(c, 1000);
      this.channels.delete(c.id);
    }
    return all.length;
  }

  /** Every token expires now; their channels go with them (facts §1.4). */
  expireTokens(): number {
    const n = this.tokens.size;
    for (const t of this.tokens.values()) this.expireToken(t);
    return n;
  }

  /**
   * A half-open network: sockets stay open but nothing is sent (no heartbeats, events, pongs) for `ms`, or
   * until the returned function is called (a test ends the silence on an event, not after a time).
   */
  mute(ms?: number): () => void {
    const until = ms === undefined ? Infinity : this.clock.now() + ms;
    this.mutedUntil = until;
    return () => {
      if (this.mutedUntil === until) this.mutedUntil = 0;
    };
  }

  private get muted(): boolean {
    return this.clock.now() < this.mutedUntil;
  }

  /**
   * An outage: every socket drops and new websocket connections are refused for `ms`, or until the returned
   * function is called (REST keeps working).
   */
  outage(ms?: number): () => void {
    const until = ms === undefined ? Infinity : this.clock.now() + ms;
    this.socketsBlockedUntil = until;
    this.dropSockets();
    return () => {
      if (this.socketsBlockedUntil === until) this.socketsBlockedUntil = 0;
    };
  }

  /** The next `count` REST calls (token calls included) are answered 429 with Retry-After. */
  rateLimit(count: number, retryAfterSeconds = 1): void {
    this.rateLimitLeft = count;
    this.rateLimitRetryAfter = retryAfterSeconds;
  }

  /** The next `count` API calls (of `method` and matching `path`, if given; token calls excepted) are answered `status`. */
  failRequests(status: number, count = 1, method?: string, path?: RegExp): void {
    this.failures.push({ status, method, path, left: count });
  }

  /** The next `count` API calls matching `path` (if given) are answered `ms` late (a slow org). */
  delayRequests(ms: number, count = 1, path?: RegExp): void {
    this.delays.push({ ms, path, left: count });
  }

  /** Injected failures not yet used up are forgotten. */
  clearFailures(): void {
    this.failures.length = 0;
  }

  // ---------------------------------------------------------------------------------------------------
  // HTTP

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = (): void => {
        try {
          this.route(req, res, Buffer.concat(chunks).toString('utf8'));
        } catch (err) {
          send(res, 500, { message: (err as Error).message, code: 'internal.server.error', status: 500 });
        }
      };
      const path = new URL(req.url ?? '/', 'http://sim').pathname;
      const delay = this.delays.find((d) => d.path === undefined || d.path.test(path));
      if (!delay) return answer();
      delay.left -= 1;
      if (delay.left <= 0) this.delays.splice(this.delays.indexOf(delay), 1);
      unrefTimer(this.clock.setTimeout(answer, delay.ms));
    });
  }

  private route(req: IncomingMessage, res: ServerResponse, raw: string): void {
    this.counters.requests += 1;
    const url = new URL(req.url ?? '/', 'http://sim');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (this.rateLimitLeft > 0) {
      this.rateLimitLeft -= 1;
      this.counters.rateLimited += 1;
      res.writeHead(429, { ...JSON_TYPE, 'retry-after': String(this.rateLimitRetryAfter) });
      res.end(JSON.stringify({ message: 'Rate limit exceeded the maximum', code: 'too.many.requests', status: 429 }));
      return;
    }
    if (method === 'POST' && path === '/oauth/token') return this.token(req, res, raw);
    const token = this.bearer(req);
    if (!token) return send(res, 401, { message: 'Authentication failed', code: 'bad.credentials', status: 401 });
    const failure = this.failures.find((f) => (f.method === undefined || f.method === method) && (f.path === undefined || f.path.test(path)));
    if (failure) {
      failure.left -= 1;
      if (failure.left <= 0) this.failures.splice(this.failures.indexOf(failure), 1);
      this.counters.failed += 1;
      return send(res, failure.status, { message: `injected failure ${failure.status}`, code: 'injected.failure', status: failure.status });
    }
    const body = raw === '' ? undefined : (JSON.parse(raw) as unknown);

    let m: RegExpExecArray | null;
    if (method === 'POST' && path === '/api/v2/notifications/channels') return this.createChannel(res, token);
    if ((m = /^\/api\/v2\/notifications\/channels\/([^/]+)$/.exec(path)) && method === 'HEAD') {
      const c = this.channels.get(decodeURIComponent(m[1] ?? ''));
      res.writeHead(c && c.token === token.value ? 200 : 404);
      res.end();
      return;
    }
    if ((m = /^\/api\/v2\/notifications\/channels\/([^/]+)\/subscriptions$/.exec(path))) {
      return this.subscriptions(res, method, decodeURIComponent(m[1] ?? ''), token, body);
    }
    if ((m = /^\/api\/v2\/conversations\/messages\/([^/]+)\/messages\/bulk$/.exec(path)) && method === 'POST') {
      this.counters.messageBulkCalls += 1;
      const ids = Array.isArray(body) ? body.filter((x): x is string => typeof x === 'string') : [];
      const entities = ids.flatMap((id) => {
        const msg = this.org.message(id);
        return msg ? [{ id: msg.id, direction: msg.direction, timestamp: msg.timestamp, normalizedMessage: { id: msg.id, type: 'Text', text: msg.text } }] : [];
      });
      return send(res, 200, { entities, total: entities.length });
    }
    if ((m = /^\/api\/v2\/conversations\/([^/]+)$/.exec(path)) && method === 'GET') {
      this.counters.conversationGets += 1;
      const c = this.org.conversation(decodeURIComponent(m[1] ?? ''));
      return c ? send(res, 200, c) : send(res, 404, { message: 'conversation not found', code: 'not.found', status: 404 });
    }
    if ((m = /^\/api\/v2\/users\/([^/]+)$/.exec(path)) && method === 'GET') {
      const u = this.org.users.get(decodeURIComponent(m[1] ?? ''));
      return u ? send(res, 200, { ...u, state: 'active', selfUri: `/api/v2/users/${u.id}` }) : send(res, 404, { message: 'user not found', code: 'not.found', status: 404 });
    }
    if (path === '/api/v2/routing/queues' && method === 'GET') {
      const size = Number(url.searchParams.get('pageSize') ?? 25);
      const page = Number(url.searchParams.get('pageNumber') ?? 1);
      const name = url.searchParams.get('name')?.toLowerCase();
      const all = [...this.org.queues.values()].filter((q) => !name || q.name.toLowerCase().includes(name));
      const entities = all.slice((page - 1) * size, page * size);
      return send(res, 200, { entities, pageSize: size, pageNumber: page, total: all.length, pageCount: Math.max(1, Math.ceil(all.length / size)) });
    }
    if ((m = /^\/api\/v2\/routing\/queues\/([^/]+)$/.exec(path)) && method === 'GET') {
      const q = this.org.queues.get(decodeURIComponent(m[1] ?? ''));
      return q ? send(res, 200, q) : send(res, 404, { message: 'queue not found', code: 'not.found', status: 404 });
    }
    if (path === '/api/v2/analytics/conversations/details/query' && method === 'POST') {
      this.counters.analyticsQueries += 1;
      return send(res, 200, this.org.detailsQuery(body));
    }
    const written = participantRoute(this.org, this.counters, method, path, body);
    if (written) return send(res, written.status, written.body);
    send(res, 404, { message: `no route ${method} ${path}`, code: 'not.found', status: 404 });
  }

  private token(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const expected = `Basic ${Buffer.from(`${this.o.clientId}:${this.o.clientSecret}`).toString('base64')}`;
    if (req.headers.authorization !== expected || !/grant_type=client_credentials/.test(raw)) {
      return send(res, 400, { error: 'invalid_client', description: 'client credentials are wrong' });
    }
    const value = `sim-${randomUUID()}`;
    const token: Token = { value, expiresAt: this.clock.now() + this.o.tokenTtlSeconds * 1000 };
    this.tokens.set(value, token);
    this.counters.tokens += 1;
    // A token's end takes its channels down, as on Genesys.
    unrefTimer(this.clock.setTimeout(() => this.expireToken(token), this.o.tokenTtlSeconds * 1000));
    send(res, 200, { access_token: value, token_type: 'bearer', expires_in: this.o.tokenTtlSeconds });
  }

  private expireToken(token: Token): void {
    token.expiresAt = 0;
    this.tokens.delete(token.value);
    for (const c of [...this.channels.values()]) {
      if (c.token !== token.value) continue;
      this.dropChannel(c, 1000);
      this.channels.delete(c.id);
    }
  }

  private bearer(req: IncomingMessage): Token | undefined {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    const t = m?.[1] ? this.tokens.get(m[1]) : undefined;
    return t && t.expiresAt > this.clock.now() ? t : undefined;
  }

  private createChannel(res: ServerResponse, token: Token): void {
    const mine = [...this.channels.values()].filter((c) => c.token === token.value);
    if (mine.length >= this.o.maxChannels) {
      const victim = [...mine].sort((a, b) => Number(Boolean(a.socket)) - Number(Boolean(b.socket)) || a.lastUsed - b.lastUsed)[0];
      if (victim) {
        this.dropChannel(victim, 1000);
        this.channels.delete(victim.id);
      }
    }
    const id = `streaming-0-${randomUUID()}`;
    const channel: Channel = { id, token: token.value, topics: new Set(), socket: undefined, heartbeat: undefined, expiresAt: this.clock.now() + this.o.channelTtlMs, lastUsed: this.clock.now(), expiryTimer: undefined };
    this.armExpiry(channel);
    this.channels.set(id, channel);
    this.counters.channelsCreated += 1;
    send(res, 200, { id, connectUri: `${this.url.replace('http', 'ws')}/channels/${id}`, expires: new Date(channel.expiresAt).toISOString() });
  }

  private armExpiry(c: Channel): void {
    this.clock.clearTimeout(c.expiryTimer);
    c.expiryTimer = this.clock.setTimeout(() => {
      c.socket?.send(JSON.stringify({ result: '404', message: 'channel expired' }));
      this.dropChannel(c, 1000);
      this.channels.delete(c.id);
    }, c.expiresAt - this.clock.now());
    unrefTimer(c.expiryTimer);
  }

  private subscriptions(res: ServerResponse, method: string, channelId: string, token: Token, body: unknown): void {
    const c = this.channels.get(channelId);
    if (!c || c.token !== token.value) return send(res, 404, { message: 'channel not found', code: 'not.found', status: 404 });
    this.counters.subscriptionCalls += 1;
    c.lastUsed = this.clock.now();
    if (method === 'GET') return send(res, 200, { entities: [...c.topics].map((id) => ({ id })) });
    if (method === 'DELETE') {
      c.topics.clear();
      res.writeHead(204);
      res.end();
      return;
    }
    if (method !== 'PUT' && method !== 'POST') return send(res, 405, { message: 'method not allowed', status: 405 });
    const asked = (Array.isArray(body) ? body : []).flatMap((t) => (typeof t === 'object' && t !== null && typeof (t as { id?: unknown }).id === 'string' ? [(t as { id: string }).id] : []));
    const next = new Set(method === 'PUT' ? [] : c.topics);
    const results = asked.map((id) => {
      const denied = this.o.deniedTopicPrefixes?.find((d) => id.startsWith(d.prefix));
      if (denied) return { id, state: 'Rejected', rejectionReason: 'missing permissions', missingPermissions: [denied.permission] };
      next.add(id);
      return { id, state: 'Permitted' };
    });
    if (next.size > this.o.maxTopicsPerChannel) {
      return send(res, 400, { message: `a channel holds at most ${this.o.maxTopicsPerChannel} topics`, code: 'bad.request', status: 400 });
    }
    c.topics.clear();
    for (const t of next) c.topics.add(t);
    // Resubscribing extends the channel's life (facts §1.4).
    c.expiresAt = this.clock.now() + this.o.channelTtlMs;
    this.armExpiry(c);
    const listed = method === 'PUT' ? results : [...results, ...[...c.topics].filter((t) => !asked.includes(t)).map((id) => ({ id, state: 'Permitted' }))];
    send(res, 200, { entities: listed });
  }

  // ---------------------------------------------------------------------------------------------------
  // Websocket

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const m = /^\/channels\/([^/?]+)/.exec(req.url ?? '');
    const c = m?.[1] ? this.channels.get(decodeURIComponent(m[1])) : undefined;
    if (this.clock.now() < this.socketsBlockedUntil) {
      socket.write('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
      return;
    }
    if (!c) {
      socket.write('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.attach(c, ws));
  }

  private attach(c: Channel, ws: WebSocket): void {
    // One socket per channel: a second connection disconnects the first.
    if (c.socket) this.detach(c, 1000);
    c.socket = ws;
    c.lastUsed = this.clock.now();
    this.counters.socketsOpened += 1;
    ws.on('message', (data) => {
      let msg: unknown;
      try {
        msg = JSON.parse(String(data));
      } catch {
        return;
      }
      if (typeof msg === 'object' && msg !== null && (msg as { message?: unknown }).message === 'ping') {
        this.counters.pings += 1;
        if (this.muted) return;
        ws.send(JSON.stringify({ topicName: 'channel.metadata', eventBody: { message: 'pong' } }));
      }
    });
    ws.on('close', () => {
      if (c.socket === ws) {
        c.socket = undefined;
        this.clock.clearTimeout(c.heartbeat);
        c.heartbeat = undefined;
      }
    });
    ws.on('error', () => undefined);
    ws.send(JSON.stringify({ topicName: 'channel.metadata', eventBody: { message: 'WebSocket Heartbeat' } }));
    const beat = (): void => {
      if (c.socket !== ws) return;
      if (ws.readyState === 1 && !this.muted) ws.send(JSON.stringify({ topicName: 'channel.metadata', eventBody: { message: 'WebSocket Heartbeat' } }));
      c.heartbeat = this.clock.setTimeout(beat, this.o.heartbeatMs);
      unrefTimer(c.heartbeat);
    };
    c.heartbeat = this.clock.setTimeout(beat, this.o.heartbeatMs);
    unrefTimer(c.heartbeat);
  }

  private detach(c: Channel, code: number): void {
    const ws = c.socket;
    c.socket = undefined;
    this.clock.clearTimeout(c.heartbeat);
    c.heartbeat = undefined;
    if (ws) {
      if (code === 1000 || code === 1001) ws.close(code);
      else ws.terminate();
    }
  }

  private dropChannel(c: Channel, code: number): void {
    this.clock.clearTimeout(c.expiryTimer);
    this.detach(c, code);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { ...JSON_TYPE, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
