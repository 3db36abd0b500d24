// `agentai-bridge replay` end to end, in-process: recorded Genesys frames → the whole pipeline → the fake
// Agent AI over HTTP. Each fixture's exact hook sequence (and key bodies) is asserted.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { adapterModules } from '../../adapters/index.js';
import { deadLettersCommand } from '../../src/cli/dead-letters.js';
import { replayCommand } from '../../src/cli/replay.js';
import { loadConfig } from '../../src/config/load.js';
import { initialState } from '../../src/core/conversation-state.js';
import { openStore } from '../../src/store/open.js';
import { seedRecord } from '../helpers/store-seed.js';
import { BridgeMetrics } from '../../src/observability/metrics.js';
import { FakeAgentAi } from '../../src/sim/agentai-receiver.js';
import { BOT, bridgeEnv, LineCollector } from '../helpers/harness.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/genesys/${name}.jsonl`, import.meta.url));
const A = 'a11ce000-0000-4000-8000-000000000001';
const B = 'b0b00000-0000-4000-8000-000000000002';
const C = 'ca201000-0000-4000-8000-000000000003';
const D = 'da7e0000-0000-4000-8000-000000000004';
const conv = (n: number): string => `c0ffee00-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const END = ['TRIGGER_SUMMARY_EVENT', 'END_OF_CONVERSATION'];

let fake: FakeAgentAi | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function replay(files: string[], extra: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: LineCollector; err: LineCollector; ai: FakeAgentAi }> {
  fake = await FakeAgentAi.start({ bots: [BOT] });
  const env = bridgeEnv(fake.url, mkdtempSync(join(tmpdir(), 'replay-')), { LOG_LEVEL: 'info', ...extra });
  const out = new LineCollector();
  const err = new LineCollector();
  const code = await replayCommand(files, { env, stdout: out, stderr: err, modules: adapterModules });
  return { code, out, err, ai: fake };
}

const labels = (ai: FakeAgentAi, id: string): string[] => ai.labels(id).map((l) => l.replace(/^(message \w+).*/, '$1'));

describe('replay: each fixture yields exactly its hook sequence', () => {
  const cases: [string, Record<string, string[]>][] = [
    ['standard', { [conv(1)]: [`NA entry ${A}`, `NA exit ${A}`, ...END] }],
    ['duplicate-topics', { [conv(10)]: [`NA entry ${A}`, `NA exit ${A}`, ...END] }],
    ['flattened-calls', { [conv(14)]: [`NA entry ${A}`, `NA exit ${A}`, ...END] }],
    ['cold-chain', { [conv(2)]: [`NA entry ${A}`, `cold exit ${A}`, `cold entry ${B}`, `cold exit ${B}`, `cold entry ${C}`, `NA exit ${C}`, ...END] }],
    ['warm-two-consultants', { [conv(3)]: [`NA entry ${A}`, `warm entry ${B}`, `warm entry ${C}`, `warm exit ${B}`, `warm exit ${C}`, `NA exit ${A}`, ...END] }],
    ['conference', { [conv(4)]: [`NA entry ${A}`, `warm entry ${B}`, `warm exit ${B}`, `NA exit ${A}`, ...END] }],
    ['consult-cancelled', { [conv(5)]: [`NA entry ${A}`, `warm entry ${B}`, `warm exit ${B}`, `NA exit ${A}`, ...END] }],
    ['reroute-no-answer', { [conv(6)]: [`NA entry ${B}`, `NA exit ${B}`, ...END] }],
    ['redial-in-conversation', { [conv(7)]: [`NA entry ${A}`, `NA exit ${A}`, `redial entry ${A}`, `NA exit ${A}`, ...END] }],
    ['redial-new-outbound', { [conv(8)]: [`NA entry ${A}`, `NA exit ${A}`, `redial entry ${A}`, `NA exit ${A}`, ...END] }],
    ['interleaved', { [conv(11)]: [`NA entry ${A}`, `NA exit ${A}`, ...END], [conv(12)]: [`NA entry ${D}`, `NA exit ${D}`, ...END] }],
    ['transcription', { [conv(13)]: [`NA entry ${A}`, 'message USER', 'message AGENT', 'message USER', 'message AGENT', `NA exit ${A}`, ...END] }],
    // Back to Alice on a new participant entry while her first one lingers in wrap-up: one entry/exit pair each time.
    ['transfer-back', { [conv(15)]: [`NA entry ${A}`, `cold exit ${A}`, `cold entry ${B}`, `cold exit ${B}`, `cold entry ${A}`, `NA exit ${A}`, ...END] }],
    // Issue 13: a monitoring or coaching supervisor is no transfer; a barge-in is a warm entry, its end a warm exit.
    ['supervisor-barge', { [conv(0x10)]: [`NA entry ${A}`, `warm entry ${D}`, `warm exit ${D}`, `NA exit ${A}`, ...END] }],
    ['supervisor-flattened', { [conv(0x11)]: [`NA entry ${A}`, `warm entry ${D}`, `warm exit ${D}`, `NA exit ${A}`, ...END] }],
    // The seed's "Warm Transfer: Agent-1 Leaves", with the customer on hold music and with nobody held.
    ['consult-confined', { [conv(0x12)]: [`NA entry ${A}`, `warm entry ${B}`, `warm exit ${A}`, `NA exit ${B}`, ...END] }],
    ['consult-flattened', { [conv(0x13)]: [`NA entry ${A}`, `warm entry ${B}`, `warm exit ${A}`, `NA exit ${B}`, ...END] }],
    // The consult's own conversation (…15) never reaches Agent AI; its agent is a warm entry/exit of the parent.
    ['digital-consult', { [conv(0x14)]: [`NA entry ${A}`, `warm entry ${B}`, `warm exit ${B}`, `NA exit ${A}`, ...END] }],
    ['messaging-bot', { [conv(0x16)]: [`NA entry ${A}`, `NA exit ${A}`, ...END] }],
    // IVR prompts and the in-queue announcement (INTERNAL, no agent connected) are not sent.
    ['ivr-speech', { [conv(0x17)]: [`NA entry ${A}`, 'message AGENT', 'message USER', `cold exit ${A}`, `cold entry ${B}`, 'message AGENT', 'message USER', `NA exit ${B}`, ...END] }],
    // Voicemail and a user-to-user call reach Agent AI not at all; legs on unrelayed media change nothing.
    ['not-people', { [conv(0x1a)]: [`NA entry ${A}`, `NA exit ${A}`, ...END] }],
    ['acw-connected', { [conv(0x1b)]: [`NA entry ${A}`, `NA exit ${A}`, ...END] }],
  ];
  it.each(cases)('%s', async (name, expected) => {
    const { code, out, ai } = await replay([fixture(name)]);
    expect(code).toBe(0);
    expect(out.lines.join('\n')).toMatch(/result:\s+ok/);
    const seen = [...new Set(ai.accepted().map((c) => c.conversationId))].sort();
    expect(seen).toEqual(Object.keys(expected).sort());
    for (const [id, sequence] of Object.entries(expected)) expect(labels(ai, id)).toEqual(sequence);
    expect(ai.violations()).toEqual([]);
  });
});

describe('replay: bodies and behaviour', () => {
  it('a redial placed as a new outbound conversation keeps the original conversationId; the new id never reaches Agent AI', async () => {
    const { ai } = await replay([fixture('redial-new-outbound')]);
    const bodies = ai.accepted().map((c) => JSON.stringify(c.body));
    expect(bodies.every((b) => b.includes(`"conversationId":"${conv(8)}"`))).toBe(true);
    expect(bodies.some((b) => b.includes(conv(9)))).toBe(false);
    const redial = ai.accepted(conv(8))[2]?.body;
    expect(redial).toMatchObject({ events: [{ name: 'INTERNAL_TRANSFER_EVENT', transfertype: 'redial', transition: 'entry', participant: { identity: A, type: 'agent' } }] });
  });

  it('the redial index survives a restart: the outbound call replayed by a second run still continues the first', async () => {
    const { readFileSync } = await import('node:fs');
    const dir = mkdtempSync(join(tmpdir(), 'redial-restart-'));
    const lines = readFileSync(fixture('redial-new-outbound'), 'utf8').split('\n').filter((l) => l.trim() !== '');
    const firstY = lines.findIndex((l) => l.includes(conv(9)));
    writeFileSync(join(dir, 'x.jsonl'), `${lines.slice(0, firstY).join('\n')}\n`);
    writeFileSync(join(dir, 'y.jsonl'), `${lines.slice(firstY).join('\n')}\n`);
    fake = await FakeAgentAi.start({ bots: [BOT] });
    const env = bridgeEnv(fake.url, join(dir, 'data'), { LOG_LEVEL: 'silent', BRIDGE_REDIAL_WINDOW_MS: '3600000' });
    const ctx = { env, stdout: new LineCollector(), stderr: new LineCollector(), modules: adapterModules };
    // The first instance must stop with X's redial window still open; `replay` would run the window out at
    // the end of its input, so this instance is driven directly.
    const { Bridge } = await import('../../src/runtime/bridge.js');
    const { loadConfig } = await import('../../src/config/load.js');
    const { createLogger } = await import('../../src/observability/logger.js');
    const config = loadConfig({ env, modules: adapterModules });
    const first = new Bridge({ config, logger: createLogger({ level: 'silent', destination: new LineCollector(), pretty: false }) });
    const decoder = adapterModules.find((m) => m.name === 'genesys')?.createFrameDecoder?.({ config, logger: createLogger({ level: 'silent', destination: new LineCollector(), pretty: false }), metrics: first.metrics, now: Date.now });
    await first.start({ timers: false });
    for (const line of readFileSync(join(dir, 'x.jsonl'), 'utf8').split('\n').filter((l) => l !== '')) {
      for (const fact of decoder?.decode(line).facts ?? []) await first.pipeline.ingest(fact);
    }
    await first.dispatcher.whenIdle();
    await first.stop(1000);
    expect(labels(fake, conv(8))).toEqual([`NA entry ${A}`, `NA exit ${A}`]);

    // A new process (bridge instance) on the same data dir sees Y: the redial index is in the store.
    expect(await replayCommand(['--data-dir', join(dir, 'data'), join(dir, 'y.jsonl')], ctx)).toBe(0);
    expect(labels(fake, conv(8))).toEqual([`NA entry ${A}`, `NA exit ${A}`, `redial entry ${A}`, `NA exit ${A}`, ...END]);
    expect(fake.accepted().some((c) => c.conversationId === conv(9))).toBe(false);
  });

  it('without the redial window the outbound call is a conversation of its own', async () => {
    const { ai } = await replay([fixture('redial-new-outbound')], { BRIDGE_REDIAL_WINDOW_MS: '1000' });
    expect(labels(ai, conv(8))).toEqual([`NA entry ${A}`, `NA exit ${A}`, ...END]);
    expect(labels(ai, conv(9))).toEqual([`NA entry ${A}`, `NA exit ${A}`, ...END]);
  });

  it('sends transcripts as user/agent messages shaped like the seed', async () => {
    const { ai } = await replay([fixture('transcription')]);
    const messages = ai.accepted(conv(13)).filter((c) => JSON.stringify(c.body).includes('"query"'));
    expect(messages).toHaveLength(4);
    expect(messages[0]?.body).toMatchObject({
      conversationId: conv(13), botId: BOT.botId, agentId: A, experience: 'voice', author: { type: 'USER' },
      source: 'genesys', sendUserMessage: true, sendAgentMessage: false, language: 'en',
    });
    expect(messages[1]?.body).toMatchObject({ author: { type: 'AGENT' }, sendUserMessage: false, sendAgentMessage: true, agentId: A });
  });

  it('replaying the same file twice into one --data-dir changes nothing the second time (durable dedupe)', async () => {
    fake = await FakeAgentAi.start({ bots: [BOT] });
    const dataDir = mkdtempSync(join(tmpdir(), 'replay-twice-'));
    const env = bridgeEnv(fake.url, join(dataDir, 'configured'), { LOG_LEVEL: 'warn' });
    const ctx = { env, stdout: new LineCollector(), stderr: new LineCollector(), modules: adapterModules };
    expect(await replayCommand(['--data-dir', dataDir, fixture('cold-chain')], ctx)).toBe(0);
    const first = fake.accepted().length;
    const out = new LineCollector();
    expect(await replayCommand(['--data-dir', dataDir, fixture('cold-chain')], { ...ctx, stdout: out })).toBe(0);
    expect(fake.accepted().length).toBe(first);
    expect(out.lines.join('\n')).toMatch(/0 applied, \d+ duplicate/);
    // Without --data-dir each replay has a store of its own: the same file is sent again, in full.
    expect(await replayCommand([fixture('cold-chain')], ctx)).toBe(0);
    expect(fake.accepted().length).toBe(2 * first);
  });

  it('without --data-dir keeps its store in a fresh temporary directory: a daemon\'s pending calls are not sent again', async () => {
    fake = await FakeAgentAi.start({ bots: [BOT] });
    const daemonDir = mkdtempSync(join(tmpdir(), 'replay-daemon-'));
    const env = bridgeEnv(fake.url, daemonDir, { LOG_LEVEL: 'warn' });
    // What a running daemon has in its store: a call waiting for delivery.
    const daemonStore = await openStore(loadConfig({ env }));
    await seedRecord(daemonStore, { id: 'daemon-conv', bot: 'default', source: 'genesys', state: { ...initialState(), phase: 'open' } }, [
      { kind: 'transfer', label: 'NA entry daemon-agent', event: 'NA entry', body: { conversationId: 'daemon-conv' }, factAt: 0 },
    ]);
    const ctx = { env, stdout: new LineCollector(), stderr: new LineCollector(), modules: adapterModules };
    expect(await replayCommand([fixture('standard')], ctx)).toBe(0);
    expect(fake.accepted(conv(1)).length).toBeGreaterThan(0);
    expect(fake.calls().some((c) => c.conversationId === 'daemon-conv')).toBe(false);
    // The daemon's row is where it was, still its to send; the replay left nothing in the daemon's store.
    expect((await daemonStore.outboxFor('daemon-conv')).map((r) => r.status)).toEqual(['pending']);
    expect(await daemonStore.conversation(conv(1))).toBeUndefined();
    await daemonStore.close();
    // Two replays of the same file without --data-dir are independent runs: both deliver.
    const before = fake.accepted(conv(1)).length;
    expect(await replayCommand([fixture('standard')], ctx)).toBe(0);
    expect(fake.accepted(conv(1)).length).toBe(2 * before);
  });

  it('logs, counts and skips a malformed line with its line number, and still delivers the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'malformed-'));
    const file = join(dir, 'frames.jsonl');
    const { readFileSync } = await import('node:fs');
    const lines = readFileSync(fixture('standard'), 'utf8').split('\n').filter((l) => l.trim() !== '');
    lines.splice(2, 0, '{"topicName": "v2.routing.queues.q.conversations", "eventBody": ', 'not json at all');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const { code, out, err, ai } = await replay([file]);
    expect(code).toBe(0);
    const summary = out.lines.join('\n');
    expect(summary).toMatch(/2 malformed, skipped/);
    expect(summary).toContain(`${file}:3:`);
    expect(summary).toContain(`${file}:4:`);
    expect(err.lines.some((l) => l.includes('"line":3') && l.includes('"event":"replay.frame_malformed"'))).toBe(true);
    expect(labels(ai, conv(1))).toEqual([`NA entry ${A}`, `NA exit ${A}`, ...END]);
  });

  it('exits 3 when anything was dead-lettered, and says so', async () => {
    fake = await FakeAgentAi.start({ bots: [{ ...BOT, botId: 'st-another-bot' }] });
    const env = bridgeEnv(fake.url, mkdtempSync(join(tmpdir(), 'replay-dead-')), { LOG_LEVEL: 'silent' });
    const out = new LineCollector();
    const code = await replayCommand([fixture('standard')], { env, stdout: out, stderr: new LineCollector(), modules: adapterModules });
    expect(code).toBe(3);
    const text = out.lines.join('\n');
    expect(text).toMatch(/4 dead-lettered[\s\S]*FAILED: dead letters/);
    // The scratch store is kept so the dead letters can be looked at, and the summary says how.
    const kept = /BRIDGE_DATA_DIR=(\S+) agentai-bridge dead-letters list/.exec(text)?.[1];
    expect(kept).toBeDefined();
    const listing = new LineCollector();
    expect(await deadLettersCommand(['list'], { env: { ...env, BRIDGE_DATA_DIR: kept }, stdout: listing, stderr: new LineCollector(), modules: adapterModules })).toBe(0);
    expect(listing.lines.filter((l) => l.startsWith('#'))).toHaveLength(4);
    rmSync(kept ?? '', { recursive: true, force: true });
  });

  it('exits 78 with one line per bad key when the config is wrong, before reading any frame', async () => {
    const out = new LineCollector();
    const err = new LineCollector();
    const code = await replayCommand([fixture('standard')], { env: { AGENTAI_URL: 'nope' }, stdout: out, stderr: err, modules: adapterModules });
    expect(code).toBe(78);
    expect(err.lines.filter((l) => l.startsWith('config error:'))).toHaveLength(4);
    expect(out.lines).toEqual([]);
  });

  it('counts what the adapter recognised and left out: supervisors listening in, IVR speech', async () => {
    fake = await FakeAgentAi.start({ bots: [BOT] });
    const env = bridgeEnv(fake.url, mkdtempSync(join(tmpdir(), 'replay-ignored-')), { LOG_LEVEL: 'silent' });
    const metrics = new BridgeMetrics({ defaults: false });
    const ctx = { env, stdout: new LineCollector(), stderr: new LineCollector(), modules: adapterModules };
    expect(await replayCommand([fixture('supervisor-barge'), fixture('ivr-speech')], ctx, { metrics })).toBe(0);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/bridge_adapter_input_ignored_total\{adapter="genesys",reason="supervisor-monitor"\} 1/);
    expect(text).toMatch(/bridge_adapter_input_ignored_total\{adapter="genesys",reason="supervisor-coach"\} 1/);
    expect(text).toMatch(/bridge_adapter_input_ignored_total\{adapter="genesys",reason="internal-speech-without-agent"\} 3/);
  });

  it('GENESYS_INTERNAL_SPEECH_WITHOUT_AGENT=keep sends IVR and queue prompts as agent messages, as before', async () => {
    const { ai } = await replay([fixture('ivr-speech')], { GENESYS_INTERNAL_SPEECH_WITHOUT_AGENT: 'keep' });
    expect(labels(ai, conv(0x17))).toEqual([
      `NA entry ${A}`, 'message AGENT', 'message AGENT', 'message AGENT', 'message USER', 'message AGENT',
      `cold exit ${A}`, `cold entry ${B}`, 'message AGENT', 'message USER', `NA exit ${B}`, ...END,
    ]);
    // The early IVR prompt goes out under the first agent's id: what the default now prevents.
    expect(ai.accepted(conv(0x17))[1]?.body).toMatchObject({ author: { type: 'AGENT' }, agentId: A, query: 'Thank you for calling. Please listen carefully.' });
  });

  it('shows the counters in the metrics after a replay', async () => {
    fake = await FakeAgentAi.start({ bots: [BOT] });
    const env = bridgeEnv(fake.url, mkdtempSync(join(tmpdir(), 'replay-metrics-')), { LOG_LEVEL: 'silent' });
    const metrics = new BridgeMetrics({ defaults: false });
    const ctx = { env, stdout: new LineCollector(), stderr: new LineCollector(), modules: adapterModules };
    expect(await replayCommand([fixture('duplicate-topics')], ctx, { metrics })).toBe(0);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/bridge_facts_in_total\{adapter="genesys",type="agent.joined"\} 1/);
    expect(text).toMatch(/bridge_hook_calls_total\{event="transfer",status="200"\} 2/);
    expect(text).toMatch(/bridge_hook_calls_total\{event="end",status="200"\} 1/);
    expect(text).toMatch(/bridge_fact_to_hook_seconds_count\{event="end"\} 1/);
    // Every frame came twice; the processor's per-leg diff let one fact through per event (agent.joined 1 above).
    // No dead letter of any kind: every series is there, at 0.
    expect(text).toContain('bridge_dead_letters_total{event="end",reason="rejected"} 0');
    expect(text).not.toMatch(/bridge_dead_letters_total\{[^}]*\} [1-9]/);
  });
});
