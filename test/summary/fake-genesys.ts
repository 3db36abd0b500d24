// A minimal node:http stand-in for the Genesys Cloud routes the summary write-back calls, used until the
// simulated org (src/sim/genesys/) has them: GET a conversation, PATCH participant attributes, GET a
// participant's wrap-up, POST a communication's wrap-up (calls, callbacks, emails, messages), plus the
// client-credentials token endpoint. Behaviour copies the platform where it matters to the writer:
// attributes PATCH merges keys, wrap-up POST replaces code and notes, unknown ids answer 404 with
// Genesys' error body.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeParticipant {
  id: string;
  purpose: string;
  userId?: string;
  attributes?: Record<string, string>;
  calls?: Array<{ id: string; state?: string }>;
  messages?: Array<{ id: string; state?: string }>;
  wrapup?: { code?: string; notes?: string };
}

export interface GenesysRequest {
  method: string;
  path: string;
  body: unknown;
  authorization?: string;
}

export class FakeGenesys {
  readonly conversations = new Map<string, { id: string; participants: FakeParticipant[] }>();
  readonly requests: GenesysRequest[] = [];
  #faults: Array<{ status: number; method?: string; remaining: number }> = [];

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(): Promise<FakeGenesys> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const fake = new FakeGenesys(server, (server.address() as AddressInfo).port);
    server.on('request', (req, res) => void fake.#handle(req, res));
    return fake;
  }

  /** The next `times` requests (of `method`, if given) answer `status`. */
  fail(status: number, times = 1, method?: string): void {
    this.#faults.push({ status, remaining: times, ...(method ? { method } : {}) });
  }

  participant(conversationId: string, participantId: string): FakeParticipant | undefined {
    return this.conversations.get(conversationId)?.participants.find((p) => p.id === participantId);
  }

  writes(): GenesysRequest[] {
    return this.requests.filter((r) => r.method !== 'GET' && r.path !== '/oauth/token');
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = text;
    try {
      body = text ? (JSON.parse(text) as unknown) : undefined;
    } catch {
      // form bodies (oauth) stay text
    }
    const method = req.method ?? 'GET';
    const path = (req.url ?? '').split('?')[0] ?? '';
    this.requests.push({ method, path, body, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });

    const faultIndex = this.#faults.findIndex((f) => f.method === undefined || f.method === method);
    const fault = this.#faults[faultIndex];
    if (fault && path !== '/oauth/token') {
      fault.remaining -= 1;
      if (fault.remaining <= 0) this.#faults.splice(faultIndex, 1);
      return send(res, fault.status, { message: 'injected fault', code: 'injected', status: fault.status });
    }

    if (method === 'POST' && path === '/oauth/token') return send(res, 200, { access_token: 'fake-genesys-token', token_type: 'bearer', expires_in: 86400 });
    let m: RegExpExecArray | null;
    if (method === 'GET' && (m = /^\/api\/v2\/conversations\/([^/]+)$/.exec(path))) {
      const c = this.conversations.get(m[1] ?? '');
      return c ? send(res, 200, c) : notFound(res);
    }
    if (method === 'PATCH' && (m = /^\/api\/v2\/conversations\/([^/]+)\/participants\/([^/]+)\/attributes$/.exec(path))) {
      const p = this.participant(m[1] ?? '', m[2] ?? '');
      if (!p) return notFound(res);
      const attrs = (body as { attributes?: Record<string, string> } | undefined)?.attributes ?? {};
      p.attributes = { ...p.attributes, ...attrs };
      return send(res, 202, undefined);
    }
    if (method === 'GET' && (m = /^\/api\/v2\/conversations\/([^/]+)\/participants\/([^/]+)\/wrapup$/.exec(path))) {
      const p = this.participant(m[1] ?? '', m[2] ?? '');
      if (!p) return notFound(res);
      return p.wrapup ? send(res, 200, p.wrapup) : notFound(res);
    }
    if (method === 'POST' && (m = /^\/api\/v2\/conversations\/(calls|callbacks|emails|messages)\/([^/]+)\/participants\/([^/]+)\/communications\/([^/]+)\/wrapup$/.exec(path))) {
      const p = this.participant(m[2] ?? '', m[3] ?? '');
      if (!p) return notFound(res);
      const w = body as { code?: string; notes?: string } | undefined;
      p.wrapup = { ...(w?.code ? { code: w.code } : {}), ...(w?.notes ? { notes: w.notes } : {}) };
      return send(res, 202, undefined);
    }
    return notFound(res);
  }
}

function notFound(res: ServerResponse): void {
  send(res, 404, { message: 'The requested resource was not found', code: 'not.found', status: 404 });
}

function send(res: ServerResponse, status: number, payload: unknown): void {
  const text = payload === undefined ? '' : JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
