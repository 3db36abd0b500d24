// The daemon's own HTTP server: /livez, /readyz, /metrics, /status, plus the routes adapters mount (Ada's
// webhook). Bodies are read raw (capped) because webhook signatures are computed over the exact bytes.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { AdapterRoute } from '../core/adapter.js';
import type { BridgeMetrics } from '../observability/metrics.js';

const MAX_BODY_BYTES = 1024 * 1024;

export interface Readiness {
  readonly ready: boolean;
  readonly reasons: readonly string[];
}

export interface HttpServerDeps {
  readonly host: string;
  readonly port: number;
  readonly logger: Logger;
  readonly metrics: BridgeMetrics;
  readonly readiness: () => Readiness;
  readonly status: () => unknown;
  readonly routes: readonly AdapterRoute[];
}

export class BridgeHttpServer {
  private readonly server: Server;

  constructor(private readonly deps: HttpServerDeps) {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        deps.logger.error({ err, path: req.url, event: 'http.handler_failed' }, 'HTTP handler failed');
        if (!res.headersSent) json(res, 500, { error: 'internal error' });
        else res.destroy();
      });
    });
    this.server.requestTimeout = 30_000;
  }

  async listen(): Promise<{ host: string; port: number }> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.deps.port, this.deps.host, () => resolve());
    });
    const address = this.server.address() as AddressInfo;
    return { host: address.address, port: address.port };
  }

  async close(): Promise<void> {
    this.server.closeIdleConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method === 'GET' || req.method === 'HEAD') {
      switch (path) {
        case '/livez':
          return json(res, 200, { status: 'ok' });
        case '/readyz': {
          const r = this.deps.readiness();
          return json(res, r.ready ? 200 : 503, r.ready ? { status: 'ready' } : { status: 'not ready', reasons: r.reasons });
        }
        case '/metrics': {
          const text = await this.deps.metrics.registry.metrics();
          res.writeHead(200, { 'content-type': this.deps.metrics.registry.contentType });
          res.end(text);
          return;
        }
        case '/status':
          return json(res, 200, this.deps.status());
      }
    }
    const route = this.deps.routes.find((r) => r.path === path);
    if (!route) return json(res, 404, { error: `no route ${path}` });
    if (req.method !== route.method) return json(res, 405, { error: `use ${route.method}` });
    const body = await readBody(req);
    if (body === 'too-large') return json(res, 413, { error: `body larger than ${MAX_BODY_BYTES} bytes` });
    await route.handle(req, res, body);
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > MAX_BODY_BYTES) return 'too-large';
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}
