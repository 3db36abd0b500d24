// One node:http listener with the limits an internet-facing port needs. Node's own defaults let a slow client
// hold a connection for a minute or more (headers 60 s, request 300 s, both only checked every 30 s) and accept
// any number of connections; here a client gets headersTimeoutMs for its headers and requestTimeoutMs for its
// whole request, checked several times a second, and at most maxConnections at once.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { BridgeMetrics } from '../observability/metrics.js';

export interface HttpLimits {
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxConnections: number;
  /** How often expired connections are looked for; default: a quarter of the headers timeout, at most 1 s. */
  readonly checkIntervalMs?: number;
}

export const HTTP_LIMIT_DEFAULTS: HttpLimits = { headersTimeoutMs: 10_000, requestTimeoutMs: 15_000, maxConnections: 1000 };

export type ListenerName = 'public' | 'admin';

/** Sockets this listener cut itself, so the handler that then sees its request abort does not count it again. */
const cutByUs = new WeakSet<Socket>();

export function wasCut(socket: Socket): boolean {
  return cutByUs.has(socket);
}

export function createListener(
  name: ListenerName,
  limits: HttpLimits,
  deps: { readonly logger: Logger; readonly metrics: BridgeMetrics },
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Server {
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: limits.checkIntervalMs ?? Math.max(10, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
    },
    handler,
  );
  // Below the headers timeout, so an idle keep-alive connection is closed before it could count as slow.
  server.keepAliveTimeout = Math.min(5000, limits.headersTimeoutMs);
  server.maxConnections = limits.maxConnections;
  const cut = (reason: 'timeout' | 'connection-cap' | 'bad-request' | 'aborted'): void => {
    deps.metrics.httpClientsCut.inc({ listener: name, reason });
  };
  server.on('drop', () => {
    cut('connection-cap');
    deps.logger.debug({ listener: name, maxConnections: limits.maxConnections, event: 'http.connection_refused' }, 'HTTP connection refused: connection cap reached');
  });
  // Replaces node's default handler (which answers the same statuses) to count and log at the right level:
  // a slow or broken client is the client's problem, never an error of the bridge.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    cutByUs.add(socket);
    const code = err.code ?? 'UNKNOWN';
    // HPE_INVALID_EOF_STATE: the client closed its side in the middle of a request.
    if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'HPE_INVALID_EOF_STATE' || !socket.writable) {
      cut('aborted');
      socket.destroy();
      return;
    }
    const timeout = code === 'ERR_HTTP_REQUEST_TIMEOUT';
    cut(timeout ? 'timeout' : 'bad-request');
    if (timeout) deps.logger.debug({ listener: name, code, event: 'http.client_too_slow' }, 'HTTP client too slow: connection cut');
    else deps.logger.debug({ listener: name, code, event: 'http.bad_request' }, 'HTTP request unreadable: connection cut');
    const status = timeout ? '408 Request Timeout' : code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
  });
  return server;
}
