// `run` warns at start when the data dir it was given lets group or others in (it holds what customers said),
// and leaves the directory's mode to the operator; a private one starts without the warning.
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { adapterModules } from '../../adapters/index.js';
import { startDaemon } from '../../src/cli/run.js';
import { FakeAgentAi } from '../../src/sim/agentai-receiver.js';
import { bridgeEnv, BOT, LineCollector } from '../helpers/harness.js';

let fake: FakeAgentAi | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await fake?.close();
  fake = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function startedLines(mode: number): Promise<Record<string, unknown>[]> {
  fake = await FakeAgentAi.start({ bots: [BOT] });
  const dataDir = mkdtempSync(join(tmpdir(), 'data-dir-mode-'));
  dirs.push(dataDir);
  chmodSync(dataDir, mode);
  const env = { ...bridgeEnv(fake.url, dataDir, { LOG_LEVEL: 'info' }), GENESYS_CLIENT_ID: 'sim-client', GENESYS_CLIENT_SECRET: 'whatever-secret', GENESYS_QUEUE_IDS: 'all', GENESYS_GATEWAY_URL: 'http://127.0.0.1:9' };
  const out = new LineCollector();
  const handle = await startDaemon({ env, stdout: out, stderr: new LineCollector(), modules: adapterModules }, { signals: false, overrides: { 'http.port': 0, 'http.host': '127.0.0.1' } });
  if (typeof handle === 'number') throw new Error(`unexpected exit ${handle}`);
  handle.shutdown('test');
  expect(await handle.done).toBe(0);
  expect(statSync(dataDir).mode & 0o777).toBe(mode);
  return out.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('data dir mode at start', () => {
  it('warns about a data dir group or others can enter, naming its mode', async () => {
    const lines = await startedLines(0o755);
    expect(lines.find((l) => l.event === 'store.data_dir_open')).toMatchObject({ level: 'warn', mode: '0755' });
  });

  it('says nothing about a private one', async () => {
    const lines = await startedLines(0o700);
    expect(lines.some((l) => l.event === 'store.data_dir_open')).toBe(false);
  });
});
