// Starting against Genesys: an unreachable org is retried (not ready, still stoppable); refused credentials
// stop the daemon at once with one line that names the keys to check.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { adapterModules } from '../../adapters/index.js';
import { startDaemon, type RunHandle } from '../../src/cli/run.js';
import { FakeAgentAi } from '../../src/sim/agentai-receiver.js';
import { GenesysSim } from '../../src/sim/genesys/server.js';
import { bridgeEnv, BOT, LineCollector } from '../helpers/harness.js';

let fake: FakeAgentAi | undefined;
let sim: GenesysSim | undefined;
afterEach(async () => {
  await fake?.close();
  await sim?.close();
  fake = undefined;
  sim = undefined;
});

async function start(genesys: NodeJS.ProcessEnv): Promise<{ handle: RunHandle | number; err: LineCollector; out: LineCollector }> {
  fake = await FakeAgentAi.start({ bots: [BOT] });
  const env = {
    ...bridgeEnv(fake.url, mkdtempSync(join(tmpdir(), 'startup-')), { LOG_LEVEL: 'info' }),
    GENESYS_CLIENT_ID: 'sim-client',
    GENESYS_QUEUE_IDS: 'all',
    GENESYS_RECONNECT_BASE_MS: '50',
    GENESYS_RECONNECT_MAX_MS: '200',
    ...genesys,
  };
  const out = new LineCollector();
  const err = new LineCollector();
  // The daemon logs to stdout (pino); stderr gets the one-line reason.
  const handle = await startDaemon({ env, stdout: out, stderr: err, modules: adapterModules }, { signals: false, overrides: { 'http.port': 0, 'http.host': '127.0.0.1' } });
  return { handle, err, out };
}

describe('daemon start against Genesys', () => {
  it('keeps retrying an unreachable org, reports not ready with the reason, and still stops cleanly', async () => {
    const { handle } = await start({ GENESYS_CLIENT_SECRET: 'whatever-secret', GENESYS_GATEWAY_URL: 'http://127.0.0.1:9' });
    if (typeof handle === 'number') throw new Error(`unexpected exit ${handle}`);
    // /status says why it is not connected yet, by code, once the first attempt has failed.
    const status = async () => (await (await fetch(`http://127.0.0.1:${handle.http.port}/status`)).json()) as { adapters: { genesys: { detail: { lastStartError?: { code: string } } } } };
    let lastStartError: { code: string } | undefined;
    for (let i = 0; i < 200 && !lastStartError; i++) {
      lastStartError = (await status()).adapters.genesys.detail.lastStartError;
      if (!lastStartError) await new Promise((r) => setImmediate(r));
    }
    expect(lastStartError).toMatchObject({ code: 'GENESYS_UNREACHABLE' });
    const res = await fetch(`http://127.0.0.1:${handle.http.port}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ reasons: ['adapter genesys is not connected'] });
    expect((await fetch(`http://127.0.0.1:${handle.http.port}/livez`)).status).toBe(200);
    handle.shutdown('test');
    expect(await handle.ready).toBe(false);
    expect(await handle.done).toBe(0);
  });

  it('stops with exit 1 and names the keys when Genesys refuses the credentials', async () => {
    sim = await GenesysSim.start({ clientId: 'sim-client', clientSecret: 'the-right-secret' });
    const { handle, err, out } = await start({ GENESYS_CLIENT_SECRET: 'a-wrong-secret', GENESYS_GATEWAY_URL: sim.url });
    if (typeof handle === 'number') throw new Error(`unexpected exit ${handle}`);
    expect(await handle.ready).toBe(false);
    expect(await handle.done).toBe(1);
    expect(err.lines).toEqual([
      expect.stringMatching(/^agentai-bridge: cannot start: genesys: login rejected \(HTTP 40[01]\): check GENESYS_CLIENT_ID, GENESYS_CLIENT_SECRET and GENESYS_ENVIRONMENT$/),
    ]);
    const fatal = out.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.level === 'fatal');
    expect(fatal).toMatchObject([{ event: 'bridge.cannot_start', code: 'GENESYS_LOGIN_REJECTED' }]);
  });
});
