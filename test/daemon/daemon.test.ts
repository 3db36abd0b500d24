// The daemon in-process: health endpoints, Ada's webhook on the same server end to end, draining on shutdown.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { adapterModules } from '../../adapters/index.js';
import { created, ended, handoffEnded, makeSecret, message } from '../../adapters/ada/test/harness.js';
import { postSignedWebhook } from '../helpers/ada-webhook.js';
import { startDaemon, type RunHandle } from '../../src/cli/run.js';
import { FakeAgentAi } from '../../src/sim/agentai-receiver.js';
import { BOT, bridgeEnv, LineCollector } from '../helpers/harness.js';

const secret = makeSecret();
let fake: FakeAgentAi | undefined;
let daemon: RunHandle | undefined;

afterEach(async () => {
  if (daemon) {
    daemon.shutdown('test end');
    await daemon.done;
  }
  await fake?.close();
  daemon = undefined;
  fake = undefined;
});

async function start(extra: NodeJS.ProcessEnv = {}): Promise<{ base: string; daemon: RunHandle; fake: FakeAgentAi }> {
  fake = await FakeAgentAi.start({ bots: [BOT] });
  const dataDir = mkdtempSync(join(tmpdir(), 'daemon-'));
  const env = bridgeEnv(fake.url, dataDir, { BRIDGE_ADAPTERS: 'ada', ADA_WEBHOOK_SECRETS: secret, ADA_ORDERING_BUFFER_MS: '20', BRIDGE_SETTLE_MS: '50', LOG_LEVEL: 'warn', ...extra });
  const out = new LineCollector();
  const handle = await startDaemon(
    { env, stdout: out, stderr: out, modules: adapterModules },
    { signals: false, overrides: { 'http.port': 0, 'http.host': '127.0.0.1' } },
  );
  if (typeof handle === 'number') throw new Error(`daemon did not start: ${handle} ${out.lines.join('\n')}`);
  expect(await handle.ready).toBe(true);
  daemon = handle;
  return { base: `http://127.0.0.1:${handle.http.port}`, daemon: handle, fake };
}

const postWebhook = (base: string, payload: unknown): Promise<Response> => postSignedWebhook(base, secret, payload);

describe('daemon', () => {
  it('answers /livez, /readyz, /metrics and /status', async () => {
    const { base } = await start();
    expect((await fetch(`${base}/livez`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('bridge_hook_calls_total');
    expect(metrics).toContain('process_cpu_seconds_total');
    const status = (await (await fetch(`${base}/status`)).json()) as { adapters: Record<string, unknown>; store: { outboxDepth: number } };
    expect(Object.keys(status.adapters)).toEqual(['ada']);
    expect(status.store.outboxDepth).toBe(0);
  });

  it('takes an Ada conversation from webhook to END_OF_CONVERSATION', async () => {
    const { base, fake: ai } = await start();
    const conv = 'ada-conv-1';
    const flow = [
      created(conv, 0),
      message(conv, 1000, { role: 'end_user', text: 'I need a human' }),
      message(conv, 2000, { role: 'ai_agent', text: 'Connecting you' }),
      message(conv, 3000, { role: 'human_agent', text: 'Hi, I am Sam', authorId: 'agent-sam', name: 'Sam' }),
      message(conv, 4000, { role: 'end_user', text: 'My order is late' }),
      handoffEnded(conv, 5000),
      ended(conv, 6000),
    ];
    for (const payload of flow) expect((await postWebhook(base, payload)).status).toBe(200);
    await ai.waitFor(() => ai.labels(conv).some((l) => l.startsWith('END_OF_CONVERSATION')), 5000);
    expect(ai.labels(conv).map((l) => l.replace(/^(message \w+).*/, '$1'))).toEqual([
      // "I need a human" came before any agent: buffered, then flushed right after NA entry.
      'NA entry agent-sam', 'message USER', 'message AGENT', 'message USER', 'NA exit agent-sam', 'TRIGGER_SUMMARY_EVENT', 'END_OF_CONVERSATION',
    ]);
    expect(ai.violations()).toEqual([]);
    const userMessage = ai.accepted(conv).find((c) => JSON.stringify(c.body).includes('My order is late'));
    expect(userMessage?.body).toMatchObject({ experience: 'chat', source: 'ada', author: { type: 'USER' }, agentId: 'agent-sam', language: 'en' });
  });

  it('rejects a badly signed webhook with 401 and forwards nothing', async () => {
    const { base, fake: ai } = await start();
    const body = JSON.stringify(message('ada-x', 0, { role: 'human_agent', authorId: 'a1', text: 'hi' }));
    const res = await fetch(`${base}/webhooks/ada`, {
      method: 'POST',
      headers: { 'svix-id': 'msg_bad', 'svix-timestamp': String(Math.floor(Date.now() / 1000)), 'svix-signature': 'v1,AAAA' },
      body,
    });
    expect(res.status).toBe(401);
    await new Promise((r) => setTimeout(r, 100));
    expect(ai.calls()).toEqual([]);
  });

  it('turns /readyz to 503 while draining and still delivers what was queued', async () => {
    const { base, daemon: d, fake: ai } = await start();
    ai.inject({ delayMs: 600, times: 1 });
    expect((await postWebhook(base, message('drain-1', 0, { role: 'human_agent', authorId: 'a1', text: 'hello' }))).status).toBe(200);
    d.shutdown('test');
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ reasons: expect.arrayContaining([expect.stringMatching(/draining/)]) });
    expect(await d.done).toBe(0);
    daemon = undefined;
    expect(ai.labels('drain-1')).toEqual(['NA entry a1', expect.stringMatching(/^message AGENT/)]);
  });
});
