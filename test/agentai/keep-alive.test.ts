// A keep-alive connection the other side has already given up on must never carry a hook call: the request
// would be written and then reset, and delivery could not know whether Agent AI got it ("outcome unknown",
// which for END_OF_CONVERSATION means a dead letter). The client drops idle connections before a load
// balancer or NAT in front of Agent AI forgets them. Here that middlebox is a TCP proxy which silently
// forgets a connection idle for 300 ms and resets it on the next packet, as such devices do. The idle periods
// are real time on real sockets: there is no clock to inject into the kernel.
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, connect, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentAiClient, type AgentAiClientOptions } from '../../src/agentai/index.js';

const FORGET_AFTER_MS = 300;
const bot = { botId: 'st-ka', clientId: 'cs-ka', clientSecret: 'keep-alive-secret-0123456789' };

let upstream: Server;
let proxy: TcpServer;
let proxyUrl: string;
const sockets = new Set<Socket>();
let connections = 0;

beforeAll(async () => {
  upstream = createHttpServer((req, res) => {
    req.resume();
    // No Keep-Alive header: like most load balancers, it does not say how long it keeps an idle connection.
    req.on('end', () => res.writeHead(202, { connection: 'keep-alive', 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const upstreamPort = (upstream.address() as AddressInfo).port;
  proxy = createTcpServer((downstream) => {
    connections += 1;
    const up = connect(upstreamPort, '127.0.0.1');
    sockets.add(downstream).add(up);
    let last = Date.now();
    downstream.on('data', (chunk: Buffer) => {
      if (Date.now() - last > FORGET_AFTER_MS) {
        // The flow was forgotten: the packet meets a reset; the upstream never sees the request.
        downstream.resetAndDestroy();
        up.destroy();
        return;
      }
      last = Date.now();
      up.write(chunk);
    });
    up.on('data', (chunk: Buffer) => {
      last = Date.now();
      downstream.write(chunk);
    });
    up.on('error', () => downstream.destroy());
    downstream.on('error', () => up.destroy());
    up.on('close', () => downstream.destroy());
    downstream.on('close', () => up.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => proxy.close(resolve));
  await new Promise((resolve) => upstream.close(resolve));
});

const options = (over: Partial<AgentAiClientOptions>): AgentAiClientOptions => ({
  baseUrl: proxyUrl,
  hooksPath: '/agentassist/api/v1/hooks',
  tokenHeader: 'token',
  jwt: { ttlSeconds: 3600, jti: true },
  timeouts: { connectMs: 1000, headersMs: 2000, bodyMs: 2000 },
  connections: 1,
  ...over,
});

async function callsAfterIdle(client: AgentAiClient): Promise<string[]> {
  const kinds: string[] = [];
  for (let i = 0; i < 3; i += 1) {
    kinds.push((await client.postHookJson(bot, '{"n":1}')).kind);
    await new Promise((resolve) => setTimeout(resolve, FORGET_AFTER_MS + 150));
    const after = await client.postHookJson(bot, '{"n":2}');
    kinds.push('error' in after ? `${after.kind}: ${after.error}` : after.kind);
  }
  return kinds;
}

describe('Agent AI client keep-alive', () => {
  it('drops an idle connection before the network forgets it, so a call after a pause is never reset mid-request', async () => {
    const client = new AgentAiClient(options({ keepAliveMs: FORGET_AFTER_MS / 2 }));
    try {
      expect(await callsAfterIdle(client)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
    } finally {
      await client.close();
    }
  });

  it('still reuses a connection between calls close together', async () => {
    const client = new AgentAiClient(options({ keepAliveMs: 2000 }));
    const before = connections;
    try {
      for (let i = 0; i < 5; i += 1) expect((await client.postHookJson(bot, '{}')).kind).toBe('ok');
      expect(connections - before).toBe(1);
    } finally {
      await client.close();
    }
  });
});
