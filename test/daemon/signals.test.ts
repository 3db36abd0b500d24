// The built daemon as a real process: SIGKILL mid-delivery loses nothing and duplicates no EOC after a
// restart; SIGTERM during delivery exits 0 within the deadline and the next start delivers the rest.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeSecret } from '../../adapters/ada/test/harness.js';
import { ADA_EXPECTED, adaConversation, dedupeAdjacent, short } from '../helpers/ada-conversation.js';
import { postSignedWebhook } from '../helpers/ada-webhook.js';
import { FakeAgentAi } from '../../src/sim/agentai-receiver.js';
import { spawnDaemon, type DaemonProcess } from '../helpers/daemon-process.js';
import { BOT, bridgeEnv } from '../helpers/harness.js';

const secret = makeSecret();
const EXPECTED = ADA_EXPECTED;
const conversation = adaConversation;
let fake: FakeAgentAi | undefined;
const children: DaemonProcess[] = [];

afterEach(async () => {
  for (const d of children.splice(0)) if (d.child.exitCode === null) d.child.kill('SIGKILL');
  await fake?.close();
});

const post = async (port: number, payload: unknown): Promise<number> =>
  (await postSignedWebhook(`http://127.0.0.1:${port}`, secret, payload)).status;

async function setup(extra: NodeJS.ProcessEnv = {}): Promise<{ env: NodeJS.ProcessEnv; ai: FakeAgentAi }> {
  fake = await FakeAgentAi.start({ bots: [BOT] });
  const dataDir = mkdtempSync(join(tmpdir(), 'signals-'));
  const env = bridgeEnv(fake.url, dataDir, { BRIDGE_ADAPTERS: 'ada', ADA_WEBHOOK_SECRETS: secret, ADA_ORDERING_BUFFER_MS: '10', BRIDGE_SETTLE_MS: '50', LOG_LEVEL: 'info', ...extra });
  return { env, ai: fake };
}

describe('daemon process', () => {
  it('after SIGKILL mid-delivery and a restart, nothing is lost and END_OF_CONVERSATION is sent once', async () => {
    const { env, ai } = await setup();
    ai.inject({ delayMs: 250, times: 100 });
    const first = await spawnDaemon(env);
    children.push(first);
    for (const p of conversation('kill-1')) expect(await post(first.port, p)).toBe(200);
    await ai.waitFor(() => ai.calls().length >= 2, 10_000);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    await ai.whenQuiet(); // a call in flight at the kill has landed at the fake, or was cut off
    const before = short(ai.labels('kill-1'));
    expect(before.length).toBeLessThan(EXPECTED.length);

    ai.reset(); // drop the injected delays; Agent AI's record continues in `after`
    const second = await spawnDaemon(env);
    children.push(second);
    await ai.waitFor(() => ai.labels('kill-1').some((l) => l.startsWith('END_OF_CONVERSATION')), 15_000);
    const after = short(ai.labels('kill-1'));
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    // The call in flight at the kill may be sent again (never an EOC: see DELIVERY_EOC_ON_UNKNOWN_OUTCOME);
    // otherwise every call arrives once, in order.
    const all = [...before, ...after];
    expect(all.filter((l) => l === 'END_OF_CONVERSATION')).toHaveLength(1);
    expect(dedupeAdjacent(all)).toEqual(EXPECTED);
  });

  it('SIGTERM during delivery exits 0 within the deadline; the next start delivers the rest', async () => {
    const { env, ai } = await setup({ BRIDGE_SHUTDOWN_DEADLINE_MS: '600' });
    ai.inject({ delayMs: 300, times: 100 });
    const first = await spawnDaemon(env);
    children.push(first);
    for (const p of conversation('term-1')) expect(await post(first.port, p)).toBe(200);
    await ai.waitFor(() => ai.calls().length >= 1, 10_000);
    const t0 = Date.now();
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(first.lines.some((l) => l.includes('"event":"bridge.shutting_down"'))).toBe(true);
    await ai.whenQuiet(); // the last slow call has landed at the fake
    const deliveredBefore = short(ai.labels('term-1'));
    expect(deliveredBefore.length).toBeLessThan(EXPECTED.length);

    ai.reset();
    const second = await spawnDaemon(env);
    children.push(second);
    await ai.waitFor(() => ai.labels('term-1').some((l) => l.startsWith('END_OF_CONVERSATION')), 15_000);
    const all = dedupeAdjacent([...deliveredBefore, ...short(ai.labels('term-1'))]);
    expect(all).toEqual(EXPECTED);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
