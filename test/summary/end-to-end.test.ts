// The summary follow-up end to end, as `agentai-bridge demo` wires the product: the real daemon (startDaemon
// with overrides, the adapter modules of adapters/index.ts) on the simulated Genesys org playing a standard
// voice conversation, and the fake Agent AI, which makes a summary some time after TRIGGER_SUMMARY_EVENT and
// serves it on conversationDetails. With summary.poll on, the daemon polls for it after delivering the trigger
// and writes it on the last agent's participant in the org; `agentai-bridge summary <id> --json` then shows it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { adapterModules } from '../../adapters/index.js';
import { simulatedDeploymentOverrides } from '../../src/sim/simulated-deployment.js';
import { startDaemon, type RunHandle } from '../../src/cli/run.js';
import { summaryCommand } from '../../src/cli/summary.js';
import { FakeAgentAi } from '../../src/sim/agentai-receiver.js';
import { ScriptPlayer } from '../../src/sim/genesys/player.js';
import { buildScenario, DEMO_QUEUES, DEMO_USERS } from '../../src/sim/genesys/scenarios.js';
import { GenesysSim } from '../../src/sim/genesys/server.js';
import { BOT, waitUntil } from './helpers.js';
import { SIM_GENESYS } from './sim-genesys.js';

const SPEED = 40;
const KEY = 'agentai.summary'; // summary.attributeName's default
const SUMMARY = 'Customer called Support about a late delivery; the agent confirmed the new date.';

class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('summary follow-up: daemon, simulated Genesys org, fake Agent AI', () => {
  it("writes Agent AI's summary on the last agent's participant after END_OF_CONVERSATION; `summary --json` prints it", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'summary-e2e-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const sim = await GenesysSim.start({ ...SIM_GENESYS, heartbeatMs: 1000 });
    cleanups.push(() => sim.close());
    for (const u of DEMO_USERS) sim.org.addUser(u);
    for (const q of DEMO_QUEUES) sim.org.addQueue(q);
    const fake = await FakeAgentAi.start({ bots: [BOT], details: { summaryDelayMs: 1000 } }); // well after the first poll, even on a loaded machine
    cleanups.push(() => fake.close());

    const stdout = new Collect();
    const stderr = new Collect();
    const overrides = {
      ...simulatedDeploymentOverrides({
        agentai: { url: fake.url, ...BOT },
        genesys: { url: sim.url, ...SIM_GENESYS },
        dataDir,
        speed: SPEED,
        logLevel: 'silent',
        shutdownDeadlineMs: 3000,
      }),
      'summary.poll': true,
      'summary.pollInitialDelayMs': 50,
      'summary.pollBackoffMaxMs': 100,
      'summary.pollDeadlineMs': 5000,
    };
    const started = await startDaemon({ env: {}, stdout, stderr, modules: adapterModules }, { signals: false, overrides });
    if (typeof started === 'number') throw new Error(`daemon did not start (exit ${started}): ${stderr.text}`);
    const handle: RunHandle = started;
    expect(await handle.ready).toBe(true);
    let stopped = false;
    const stop = async (): Promise<void> => {
      if (stopped) return;
      stopped = true;
      handle.shutdown('test finished');
      await handle.done;
    };
    cleanups.push(stop);

    const script = buildScenario('standard', 0, Date.now());
    const conversationId = String(script.steps[0]?.body.id);
    const topic = script.steps[0]?.topic ?? '';
    fake.details.script(conversationId, { summary: SUMMARY });
    await waitUntil(() => sim.subscribedTopics().has(topic), 5000);
    await new ScriptPlayer(sim).play(script, { speed: SPEED });

    await fake.waitFor(() => fake.labels(conversationId).includes('END_OF_CONVERSATION'), 8000);
    await waitUntil(async () => (await handle.bridge.summary.store.get(conversationId))?.status === 'written', 5000);

    // The org: the last agent participant (the scenario's only agent, Alice) carries the summary.
    const participants = z
      .array(z.object({ id: z.string(), purpose: z.string(), userId: z.string().optional(), attributes: z.record(z.string(), z.string()) }))
      .parse(sim.org.conversation(conversationId)?.participants);
    const last = participants.filter((p) => p.purpose === 'agent').at(-1);
    expect(last?.userId).toBe(DEMO_USERS[0]?.id);
    expect(last?.attributes[KEY]).toBe(SUMMARY);
    expect(sim.org.participantAttributes(conversationId, last?.id ?? '')).toEqual({ [KEY]: SUMMARY });
    expect(sim.counters.attributePatches).toBe(1);
    // The trigger went before the end, and the summary was polled for, not there at once.
    const labels = fake.labels(conversationId);
    expect(labels.indexOf('TRIGGER_SUMMARY_EVENT')).toBeGreaterThan(-1);
    expect(labels.indexOf('TRIGGER_SUMMARY_EVENT')).toBeLessThan(labels.indexOf('END_OF_CONVERSATION'));
    expect((await handle.bridge.summary.store.get(conversationId))?.polls).toBeGreaterThan(1);
    expect(fake.details.requests().every((r) => r.status === 200)).toBe(true);

    // `agentai-bridge summary <id> --json`, as an operator runs it next to the daemon.
    await stop();
    const out = new Collect();
    const err = new Collect();
    const env: NodeJS.ProcessEnv = {
      AGENTAI_URL: fake.url,
      AGENTAI_BOT_ID: BOT.botId,
      AGENTAI_CLIENT_ID: BOT.clientId,
      AGENTAI_CLIENT_SECRET: BOT.clientSecret,
      BRIDGE_DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
    };
    const code = await summaryCommand([conversationId, '--json'], { env, stdout: out, stderr: err, modules: adapterModules });
    expect(err.text).toBe('');
    expect(code).toBe(0);
    const printed = JSON.parse(out.text) as { conversationId: string; summary: { text: string } | null; followUp: { status: string; agentIdentity?: string } | null };
    expect(printed.conversationId).toBe(conversationId);
    expect(printed.summary?.text).toBe(SUMMARY);
    expect(printed.followUp).toMatchObject({ status: 'written', agentIdentity: DEMO_USERS[0]?.id });
  }, 15_000);
});
