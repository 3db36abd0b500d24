// The HTTP edge against real sockets: slow clients are cut on time, the connection cap holds, a client that
// hangs up is not an error, and the admin routes move to their own listener behind an optional token.
import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { BridgeHttpServer, type HttpServerDeps, type Listening, type MountedRoute } from '../../src/http/server.js';
import { BridgeMetrics } from '../../src/observability/metrics.js';

interface Rig {
  readonly server: BridgeHttpServer;
  readonly address: Listening;
  readonly metrics: BridgeMetrics;
  readonly logLines: { level: number; msg: string }[];
  readonly routeCalls: Buffer[];
}

const rigs: BridgeHttpServer[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(rigs.splice(0).map((s) => s.close()));
});

async function start(overrides: Partial<HttpServerDeps> = {}): Promise<Rig> {
  const logLines: { level: number; msg: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logLines.push(JSON.parse(line) as { level: number; msg: string });
      done();
    },
  });
  const metrics = new BridgeMetrics({ defaults: false });
  const routeCalls: Buffer[] = [];
  const route: MountedRoute = {
    method: 'POST',
    path: '/webhooks/test',
    adapter: 'test',
    async handle(_req, res, body) {
      routeCalls.push(body);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    },
  };
  const server = new BridgeHttpServer({
    host: '127.0.0.1',
    port: 0,
    logger: pino({ level: 'debug' }, stream),
    metrics,
    readiness: () => ({ ready: true, reasons: [] }),
    status: () => ({ hello: 'status' }),
    routes: [route],
    ...overrides,
  });
  rigs.push(server);
  const address = await server.listen();
  return { server, address, metrics, logLines, routeCalls };
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
    sockets.push(s);
  });
}

/** Resolves when the server closes the socket, with what it sent and how long after `since` it closed. */
function closed(s: Socket, since: number): Promise<{ afterMs: number; received: string }> {
  let received = '';
  s.on('data', (d: Buffer) => (received += d.toString()));
  s.on('error', () => undefined);
  return new Promise((resolve) => s.once('close', () => resolve({ afterMs: Date.now() - since, received })));
}

async function counter(metrics: BridgeMetrics, name: string, labels: Record<string, string>): Promise<number> {
  const metric = await metrics.registry.getSingleMetric(name)?.get();
  const value = metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return value?.value ?? 0;
}

const FAST = { headersTimeoutMs: 300, requestTimeoutMs: 600, maxConnections: 50 };

describe('slow clients', () => {
  it('cuts a client whose headers are not complete within the headers timeout, with 408', async () => {
    const rig = await start({ limits: FAST });
    const s = await open(rig.address.port);
    const t0 = Date.now();
    const done = closed(s, t0);
    s.write('GET /livez HTTP/1.1\r\nHost: bridge\r\n');
    const { afterMs, received } = await done;
    expect(received).toMatch(/^HTTP\/1\.1 408/);
    expect(afterMs).toBeGreaterThanOrEqual(FAST.headersTimeoutMs - 50);
    expect(afterMs).toBeLessThan(FAST.headersTimeoutMs + 500);
    expect(await counter(rig.metrics, 'bridge_http_clients_cut_total', { listener: 'public', reason: 'timeout' })).toBe(1);
  });

  it('cuts a connection that never sends a byte within the headers timeout', async () => {
    const rig = await start({ limits: FAST });
    const s = await open(rig.address.port);
    const { afterMs } = await closed(s, Date.now());
    expect(afterMs).toBeLessThan(FAST.headersTimeoutMs + 500);
  });

  it('cuts a body that trickles past the request timeout; the route never sees it and nothing is logged as an error', async () => {
    const rig = await start({ limits: FAST });
    const s = await open(rig.address.port);
    const t0 = Date.now();
    const done = closed(s, t0);
    s.write('POST /webhooks/test HTTP/1.1\r\nHost: bridge\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":');
    const drip = setInterval(() => s.writable && s.write(' '), 50);
    const { afterMs } = await done;
    clearInterval(drip);
    expect(afterMs).toBeGreaterThanOrEqual(FAST.requestTimeoutMs - 50);
    expect(afterMs).toBeLessThan(FAST.requestTimeoutMs + 500);
    expect(rig.routeCalls).toHaveLength(0);
    expect(rig.logLines.filter((l) => l.level >= 50)).toEqual([]);
  });

  it('does not cut a request whose answer takes longer than the request timeout (Ada holds answers while it orders)', async () => {
    const slowAnswer: MountedRoute = {
      method: 'POST',
      path: '/webhooks/slow',
      async handle(_req, res) {
        await new Promise((r) => setTimeout(r, FAST.requestTimeoutMs * 2));
        res.writeHead(200);
        res.end('late but fine');
      },
    };
    const rig = await start({ limits: FAST, routes: [slowAnswer] });
    const res = await fetch(`http://127.0.0.1:${rig.address.port}/webhooks/slow`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('late but fine');
  });

  it('refuses connections beyond the cap and keeps serving once they go', async () => {
    const rig = await start({ limits: { ...FAST, headersTimeoutMs: 5000, requestTimeoutMs: 5000, maxConnections: 3 } });
    const held = await Promise.all([1, 2, 3].map(() => open(rig.address.port)));
    const extra = await open(rig.address.port);
    const { received } = await closed(extra, Date.now());
    expect(received).toBe('');
    expect(await counter(rig.metrics, 'bridge_http_clients_cut_total', { listener: 'public', reason: 'connection-cap' })).toBe(1);
    for (const s of held) s.destroy();
    await until(async () => (await status(rig.address.port, '/livez')) === 200);
  });

  it('logs a client that hangs up mid-body below error level and counts it', async () => {
    const rig = await start({ limits: { ...FAST, headersTimeoutMs: 5000, requestTimeoutMs: 5000 } });
    const s = await open(rig.address.port);
    // "100 Continue" comes back once the server has the headers and is reading the body.
    const reading = new Promise<void>((resolve) => s.once('data', () => resolve()));
    s.write('POST /webhooks/test HTTP/1.1\r\nHost: bridge\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n');
    await reading;
    s.write('{"partial":');
    s.destroy();
    await until(async () => (await counter(rig.metrics, 'bridge_http_clients_cut_total', { listener: 'public', reason: 'aborted' })) === 1);
    expect(rig.routeCalls).toHaveLength(0);
    expect(rig.logLines.filter((l) => l.level >= 50)).toEqual([]);
    expect(rig.logLines.some((l) => l.msg.includes('went away'))).toBe(true);
  });
});

/** Polls a condition until it holds, or fails after 3 s. */
async function until(cond: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 3000;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) throw new Error('condition not met within 3 s');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Status of a GET, 0 when the connection fails; bounded, because a refused connection can leave fetch waiting. */
async function status(port: number, path: string, headers: Record<string, string> = {}): Promise<number> {
  return fetch(`http://127.0.0.1:${port}${path}`, { headers, signal: AbortSignal.timeout(1000) }).then(
    (r) => r.status,
    () => 0,
  );
}

describe('admin listener and token', () => {
  it('without an admin port serves everything on the one port, as before', async () => {
    const rig = await start();
    expect(rig.address.admin).toBeUndefined();
    for (const path of ['/livez', '/readyz', '/metrics', '/status']) expect(await status(rig.address.port, path)).toBe(200);
  });

  it('with an admin port: /metrics and /status only there, probes on both, webhooks only on the public port', async () => {
    const rig = await start({ admin: { host: '127.0.0.1', port: 0 } });
    const admin = rig.address.admin?.port ?? -1;
    expect(admin).toBeGreaterThan(0);
    expect(admin).not.toBe(rig.address.port);
    for (const path of ['/metrics', '/status']) {
      expect(await status(rig.address.port, path)).toBe(404);
      expect(await status(admin, path)).toBe(200);
    }
    for (const path of ['/livez', '/readyz']) {
      expect(await status(rig.address.port, path)).toBe(200);
      expect(await status(admin, path)).toBe(200);
    }
    const post = (port: number): Promise<number> =>
      fetch(`http://127.0.0.1:${port}/webhooks/test`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(1000) }).then((r) => r.status);
    expect(await post(rig.address.port)).toBe(200);
    expect(await post(admin)).toBe(404);
    const metrics = await fetch(`http://127.0.0.1:${admin}/metrics`).then((r) => r.text());
    expect(metrics).toContain('bridge_http_clients_cut_total');
  });

  it('with a token: /metrics and /status answer 401 without it or with another, 200 with it; probes need none', async () => {
    const rig = await start({ admin: { host: '127.0.0.1', port: 0 }, adminToken: 's3cret-token' });
    const admin = rig.address.admin?.port ?? -1;
    for (const path of ['/metrics', '/status']) {
      expect(await status(admin, path)).toBe(401);
      expect(await status(admin, path, { authorization: 'Bearer wrong' })).toBe(401);
      expect(await status(admin, path, { authorization: 's3cret-token' })).toBe(401);
      expect(await status(admin, path, { authorization: 'Bearer s3cret-token' })).toBe(200);
    }
    const denied = await fetch(`http://127.0.0.1:${admin}/status`);
    expect(denied.headers.get('www-authenticate')).toBe('Bearer');
    expect(await denied.text()).not.toContain('hello');
    for (const path of ['/livez', '/readyz']) expect(await status(admin, path)).toBe(200);
  });

  it('applies the token on the single port too', async () => {
    const rig = await start({ adminToken: 'tok' });
    expect(await status(rig.address.port, '/status')).toBe(401);
    expect(await status(rig.address.port, '/status', { authorization: 'Bearer tok' })).toBe(200);
    expect(await status(rig.address.port, '/livez')).toBe(200);
  });

  it('fails to listen, leaving nothing open, when the admin port is taken', async () => {
    const first = await start();
    const server = new BridgeHttpServer({
      host: '127.0.0.1',
      port: 0,
      admin: { host: '127.0.0.1', port: first.address.port },
      logger: pino({ level: 'silent' }),
      metrics: new BridgeMetrics({ defaults: false }),
      readiness: () => ({ ready: true, reasons: [] }),
      status: () => ({}),
      routes: [],
    });
    await expect(server.listen()).rejects.toThrow(/EADDRINUSE/);
    await server.close();
  });
});

describe('webhook bodies', () => {
  it('answers a body over 1 MiB 413 and counts it as rejected for its adapter', async () => {
    const rig = await start();
    const res = await fetch(`http://127.0.0.1:${rig.address.port}/webhooks/test`, { method: 'POST', body: 'x'.repeat(1024 * 1024 + 1) }).then(
      (r) => r.status,
      () => 0,
    );
    // Either the 413 arrives or the connection is closed while the client is still sending: never a 200.
    expect([413, 0]).toContain(res);
    expect(rig.routeCalls).toHaveLength(0);
    expect(await counter(rig.metrics, 'bridge_webhook_rejected_total', { adapter: 'test', reason: 'too-large' })).toBe(1);
  });
});
