// The daemon's own HTTP server: the probes (/livez, /readyz), the admin routes (/metrics, /status) and the
// routes adapters mount (Ada's webhook). With an admin listener configured the admin routes leave the public
// port, which is the one exposed to the internet for webhooks; the probes answer on both, so a kubelet or load
// balancer needs no change. An optional bearer token guards the admin routes wherever they are served.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { AdapterRoute } from '../core/adapter.js';
import type { BridgeMetrics } from '../observability/metrics.js';
import { readBody } from './body.js';
import { createListener, HTTP_LIMIT_DEFAULTS, wasCut, type HttpLimits, type ListenerName } from './listener.js';

const MAX_BODY_BYTES = 1024 * 1024;

export interface Readiness {
  readonly ready: boolean;
  readonly reasons: readonly string[];
}

/** An adapter's route, with the adapter's name for the rejection counter. */
export interface MountedRoute extends AdapterRoute {
  readonly adapter?: string;
}

export interface HttpAddress {
  readonly host: string;
  readonly port: number;
}

export interface HttpServerDeps {
  readonly host: string;
  readonly port: number;
  /** A second listener for /metrics and /status; absent: they are served on the public port. */
  readonly admin?: HttpAddress;
  /** When set, /metrics and /status require `Authorization: Bearer <token>`. */
  readonly adminToken?: string;
  readonly limits?: Partial<HttpLimits>;
  readonly logger: Logger;
  readonly metrics: BridgeMetrics;
  readonly readiness: () => Readiness;
  readonly status: () => unknown;
  readonly routes: readonly MountedRoute[];
}

export interface Listening extends HttpAddress {
  readonly admin?: HttpAddress;
}

export class BridgeHttpServer {
  private readonly public: Server;
  private readonly admin: Server | undefined;
  private readonly tokenDigest: Buffer | undefined;

  constructor(private readonly deps: HttpServerDeps) {
    const limits: HttpLimits = { ...HTTP_LIMIT_DEFAULTS, ...deps.limits };
    const adminHere = deps.admin === undefined;
    this.public = createListener('public', limits, deps, (req, res) => this.dispatch('public', req, res, { admin: adminHere, webhooks: true }));
    this.admin = deps.admin
      ? createListener('admin', limits, deps, (req, res) => this.dispatch('admin', req, res, { admin: true, webhooks: false }))
      : undefined;
    this.tokenDigest = deps.adminToken ? digest(deps.adminToken) : undefined;
  }

  async listen(): Promise<Listening> {
    const address = await listenOn(this.public, this.deps.port, this.deps.host);
    if (!this.admin || !this.deps.admin) return address;
    try {
      const admin = await listenOn(this.admin, this.deps.admin.port, this.deps.admin.host);
      return { ...address, admin };
    } catch (err) {
      await closeServer(this.public);
      throw err;
    }
  }

  async close(): Promise<void> {
    await Promise.all([closeServer(this.public), ...(this.admin ? [closeServer(this.admin)] : [])]);
  }

  private dispatch(listener: ListenerName, req: IncomingMessage, res: ServerResponse, serves: { admin: boolean; webhooks: boolean }): void {
    this.handle(listener, req, res, serves).catch((err: unknown) => {
      if (clientGone(req, res)) {
        this.clientAborted(listener, req);
        return;
      }
      this.deps.logger.error({ err, path: req.url, listener, event: 'http.handler_failed' }, 'HTTP handler failed');
      if (!res.headersSent) json(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  }

  private clientAborted(listener: ListenerName, req: IncomingMessage): void {
    // A client that hangs up mid-request is routine on the internet (and what a cut slow client looks like).
    if (!wasCut(req.socket)) this.deps.metrics.httpClientsCut.inc({ listener, reason: 'aborted' });
    this.deps.logger.debug({ path: req.url, listener, event: 'http.client_aborted' }, 'HTTP client went away before the answer');
  }

  private async handle(listener: ListenerName, req: IncomingMessage, res: ServerResponse, serves: { admin: boolean; webhooks: boolean }): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const read = req.method === 'GET' || req.method === 'HEAD';
    if (read && path === '/livez') return json(res, 200, { status: 'ok' });
    if (read && path === '/readyz') {
      const r = this.deps.readiness();
      return json(res, r.ready ? 200 : 503, r.ready ? { status: 'ready' } : { status: 'not ready', reasons: r.reasons });
    }
    if (read && serves.admin && (path === '/metrics' || path === '/status')) {
      if (!this.authorized(req)) {
        res.setHeader('www-authenticate', 'Bearer');
        return json(res, 401, { error: 'bearer token required (BRIDGE_ADMIN_TOKEN)' });
      }
      if (path === '/status') return json(res, 200, this.deps.status());
      const text = await this.deps.metrics.registry.metrics();
      res.writeHead(200, { 'content-type': this.deps.metrics.registry.contentType });
      res.end(text);
      return;
    }
    const route = serves.webhooks ? this.deps.routes.find((r) => r.path === path) : undefined;
    if (!route) return json(res, 404, { error: `no route ${path}` });
    if (req.method !== route.method) return json(res, 405, { error: `use ${route.method}` });
    const body = await readBody(req, MAX_BODY_BYTES);
    if (body.kind === 'aborted') return this.clientAborted(listener, req);
    if (body.kind === 'too-large') {
      if (route.adapter) this.deps.metrics.webhookRejected.inc({ adapter: route.adapter, reason: 'too-large' });
      this.deps.logger.warn({ path, adapter: route.adapter, event: 'http.body_too_large' }, `request body larger than ${MAX_BODY_BYTES} bytes refused`);
      // The rest of the body is not read: close the connection once the answer is out.
      res.setHeader('connection', 'close');
      res.on('finish', () => req.socket.destroySoon());
      return json(res, 413, { error: `body larger than ${MAX_BODY_BYTES} bytes` });
    }
    await route.handle(req, res, body.bytes);
  }

  private authorized(req: IncomingMessage): boolean {
    if (!this.tokenDigest) return true;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    // Digests have equal lengths, so the compare is constant-time whatever was sent.
    return m?.[1] !== undefined && timingSafeEqual(digest(m[1]), this.tokenDigest);
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function clientGone(req: IncomingMessage, res: ServerResponse): boolean {
  return (!req.complete && req.destroyed) || (res.destroyed && !res.writableFinished) || wasCut(req.socket);
}

function listenOn(server: Server, port: number, host: string): Promise<HttpAddress> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      resolve({ host: address.address, port: address.port });
    });
  });
}

async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return;
  server.closeIdleConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

function json(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.writableEnded) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
