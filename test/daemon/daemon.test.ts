// The daemon in-process: health endpoints, Ada's webhook on the same server end to end, draining on shutdown.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { adapterModules } from '../../adapters/index.js';
import { created, ended, handoffEnded, makeSecret, message } from '../../adapters/ada/test/harness.js';
import { postSignedWebhook } from '../helpers/ada-webhook.js';
import { startDaemon, type RunHandle } from '../../src/cli/run.js';
import { FakeAgentAi } from '../../src/sim/agentai-receiver.js';
import { BOT, bridgeEnv, LineCollector } from '../helpers/harness.js';
import { badLogLines, events } from '../helpers/log-lines.js';

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

async function start(extra: NodeJS.ProcessEnv = {}, dataDir = mkdtempSync(join(tmpdir(), 'daemon-'))): Promise<{ base: string; daemon: RunHandle; fake: FakeAgentAi; logs: LineCollector }> {
  fake ??= await FakeAgentAi.start({ bots: [BOT] });
  const env = bridgeEnv(fake.url, dataDir, { BRIDGE_ADAPTERS: 'ada', ADA_WEBHOOK_SECRETS: secret, ADA_ORDERING_BUFFER_MS: '20', BRIDGE_SETTLE_MS: '50', LOG_LEVEL: 'warn', ...extra });
  const out = new LineCollector();
  const handle = await startDaemon(
    { env, stdout: out, stderr: out, modules: adapterModules },
    { signals: false, overrides: { 'http.port': 0, 'http.host': '127.0.0.1' } },
  );
  if (typeof handle === 'number') throw new Error(`daemon did not start: ${handle} ${out.lines.join('\n')}`);
  expect(await handle.ready).toBe(true);
  daemon = handle;
  return { base: `http://127.0.0.1:${handle.http.port}`, daemon: handle, fake, logs: out };
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
    // What an alert watches is there before anything happened: at 0, and the live state of this process.
    expect(metrics).toContain('bridge_dead_letters_total{event="message",reason="rejected"} 0');
    expect(metrics).toContain('bridge_webhook_rejected_total{adapter="ada",reason="bad-signature"} 0');
    expect(metrics).toMatch(/bridge_delivery_circuit_state\{host="127\.0\.0\.1:\d+"\} 0/);
    expect(metrics).toMatch(/bridge_build_info\{version="\d+\.\d+\.\d+[^"]*",node="\d+\.\d+\.\d+"\} 1/);
    expect(metrics).toContain('bridge_dead_letters 0');
    expect(metrics).toContain('bridge_ready 1');
    expect(metrics).toContain('bridge_replica_leader 1');
    expect(metrics).toContain('bridge_adapter_connected{adapter="ada"} 1');
    const status = (await (await fetch(`${base}/status`)).json()) as { adapters: Record<string, unknown>; store: { outboxDepth: number } };
    expect(Object.keys(status.adapters)).toEqual(['ada']);
    expect(status.store.outboxDepth).toBe(0);
  });

  it('with BRIDGE_ADMIN_PORT serves /metrics and /status only on the admin port, behind BRIDGE_ADMIN_TOKEN_FILE', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'admin-'));
    writeFileSync(join(dir, 'token'), 'ops-token\n');
    const { base, daemon: d } = await start({ BRIDGE_ADMIN_PORT: '0', BRIDGE_ADMIN_TOKEN_FILE: join(dir, 'token') });
    const admin = `http://127.0.0.1:${d.http.admin?.port ?? 0}`;
    expect(d.http.admin?.port).toBeGreaterThan(0);
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
    expect((await fetch(`${base}/status`)).status).toBe(404);
    expect((await fetch(`${admin}/status`)).status).toBe(401);
    const auth = { authorization: 'Bearer ops-token' };
    expect((await fetch(`${admin}/status`, { headers: auth })).status).toBe(200);
    expect(await (await fetch(`${admin}/metrics`, { headers: auth })).text()).toContain('bridge_webhook_rejected_total');
    for (const url of [base, admin]) expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect((await postWebhook(base, created('ada-admin-split', 0))).status).toBe(200);
    expect((await postWebhook(admin, created('ada-admin-split', 0))).status).toBe(404);
    expect((await postSignedWebhook(base, makeSecret(), created('ada-admin-split', 0))).status).toBe(401);
    const metrics = await (await fetch(`${admin}/metrics`, { headers: auth })).text();
    expect(metrics).toContain('bridge_webhook_rejected_total{adapter="ada",reason="bad-signature"} 1');
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

  it('an Ada agent who joined before a restart still leaves at handoff.ended after it (the store knows who joined)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'daemon-restart-'));
    const conv = 'ada-restart-1';
    const first = await start({}, dataDir);
    for (const payload of [created(conv, 0), message(conv, 1000, { role: 'human_agent', text: 'Hi, I am Sam', authorId: 'agent-sam', name: 'Sam' })]) {
      expect((await postWebhook(first.base, payload)).status).toBe(200);
    }
    await first.fake.waitFor(() => first.fake.labels(conv).length === 2, 5000);
    first.daemon.shutdown('restart');
    expect(await first.daemon.done).toBe(0);
    daemon = undefined;

    const second = await start({}, dataDir);
    // Still in the same handoff: a word from Sam is not a second entry.
    expect((await postWebhook(second.base, message(conv, 2000, { role: 'human_agent', text: 'Still here', authorId: 'agent-sam', name: 'Sam' }))).status).toBe(200);
    expect((await postWebhook(second.base, handoffEnded(conv, 3000))).status).toBe(200);
    // The exit comes with the handoff's end (after the settle window), not with the conversation's end.
    await second.fake.waitFor(() => second.fake.labels(conv).includes('NA exit agent-sam'), 5000);
    expect((await postWebhook(second.base, ended(conv, 600_000))).status).toBe(200);
    await second.fake.waitFor(() => second.fake.labels(conv).some((l) => l.startsWith('END_OF_CONVERSATION')), 5000);
    expect(second.fake.labels(conv).map((l) => l.replace(/^(message \w+).*/, '$1'))).toEqual([
      'NA entry agent-sam', 'message AGENT', 'message AGENT', 'NA exit agent-sam', 'TRIGGER_SUMMARY_EVENT', 'END_OF_CONVERSATION',
    ]);
    expect(second.fake.violations()).toEqual([]);
  });

  it('writes every line with an event code and each key once, through a conversation, a bad webhook and a shutdown', async () => {
    const { base, daemon: d, fake: ai, logs } = await start({ LOG_LEVEL: 'debug' });
    const conv = 'ada-logs-1';
    for (const payload of [created(conv, 0), message(conv, 1000, { role: 'human_agent', text: 'Hi', authorId: 'agent-sam', name: 'Sam' }), handoffEnded(conv, 2000), ended(conv, 3000)]) {
      expect((await postWebhook(base, payload)).status).toBe(200);
    }
    const bad = await fetch(`${base}/webhooks/ada`, { method: 'POST', headers: { 'svix-id': 'msg_bad', 'svix-timestamp': '1', 'svix-signature': 'v1,AAAA' }, body: '{}' });
    expect(bad.status).toBe(401);
    await ai.waitFor(() => ai.labels(conv).some((l) => l.startsWith('END_OF_CONVERSATION')), 5000);
    d.shutdown('test end');
    await d.done;
    daemon = undefined;
    expect(badLogLines(logs.lines)).toEqual([]);
    expect(events(logs.lines)).toEqual(expect.arrayContaining(['bridge.running', 'ada.webhook_rejected', 'hook.queued', 'hook.delivered', 'conversation.closed', 'bridge.shutting_down', 'bridge.stopped']));
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
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('bridge_webhook_rejected_total{adapter="ada",reason="bad-signature"} 1');
    expect(metrics).toContain('bridge_webhook_rejected_total{adapter="ada",reason="invalid-payload"} 0');
  });

  it('during an Agent AI outage shows the open circuit, the backlog and its age, and stays ready', async () => {
    const { base, fake: ai } = await start({ DELIVERY_CIRCUIT_FAILURES: '2', DELIVERY_CIRCUIT_PROBE_BASE_MS: '600000', BRIDGE_SHUTDOWN_DEADLINE_MS: '200' });
    ai.inject({ status: 503, times: 1000 });
    for (const conv of ['out-1', 'out-2', 'out-3']) {
      expect((await postWebhook(base, message(conv, 0, { role: 'human_agent', authorId: 'a1', text: 'hello' }))).status).toBe(200);
    }
    type Status = { deliveryState: { circuit: { state: string; host: string } }; store: { outboxDepth: number; oldestPendingAt?: number; deadLetters: number } };
    const status = async (): Promise<Status> => (await (await fetch(`${base}/status`)).json()) as Status;
    await ai.waitFor(() => ai.calls().length >= 2, 5000);
    const deadline = Date.now() + 5000;
    let s = await status();
    while ((s.deliveryState.circuit.state !== 'open' || s.store.outboxDepth < 6) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      s = await status();
    }
    expect(s.deliveryState.circuit.state).toBe('open');
    // Each conversation's entry and message wait in the outbox; nothing is given up on.
    expect(s.store.outboxDepth).toBe(6);
    expect(s.store.deadLetters).toBe(0);
    expect(s.store.oldestPendingAt).toBeLessThanOrEqual(Date.now());
    // The circuit stopped the attempts: two failures opened it, and no probe is due for ten minutes.
    const tries = ai.calls().length;
    const metricsText = async (): Promise<string> => (await fetch(`${base}/metrics`)).text();
    let metrics = await metricsText();
    while (!/^bridge_outbox_oldest_seconds [1-9]/m.test(metrics) && Date.now() < deadline + 2000) {
      await new Promise((r) => setTimeout(r, 100));
      metrics = await metricsText();
    }
    expect(metrics).toContain(`bridge_delivery_circuit_state{host="${s.deliveryState.circuit.host}"} 2`);
    expect(metrics).toMatch(/^bridge_outbox_depth 6$/m);
    expect(metrics).toMatch(/^bridge_outbox_oldest_seconds [1-9]/m);
    expect(ai.calls().length).toBe(tries);
    // The outbox buffers the outage: the bridge still takes input.
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
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
