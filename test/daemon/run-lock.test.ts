// One writer per store, with real processes: a second `run` on a data dir another process holds exits at
// once, naming the holder's pid; the holder goes on; once the holder dies (even by SIGKILL) the lock is gone
// with it and the next `run` starts.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeSecret } from '../../adapters/ada/test/harness.js';
import { FakeAgentAi } from '../../src/sim/agentai-receiver.js';
import { CLI, spawnDaemon, type DaemonProcess } from '../helpers/daemon-process.js';
import { bridgeEnv } from '../helpers/harness.js';

let fake: FakeAgentAi | undefined;
const children: DaemonProcess[] = [];
afterEach(async () => {
  for (const d of children.splice(0)) if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill('SIGKILL');
  await fake?.close();
});

function runOnce(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string; ms: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, 'run'], { env: { PATH: process.env.PATH, BRIDGE_HTTP_PORT: '0', BRIDGE_HTTP_HOST: '127.0.0.1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  child.stdout.resume();
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, ms: Date.now() - started });
    }),
  );
}

describe('run lock', () => {
  it('a second run on the same data dir exits at once naming the holder; after the holder is killed the next run starts', async () => {
    fake = await FakeAgentAi.start({ bots: [] });
    const dataDir = mkdtempSync(join(tmpdir(), 'run-lock-'));
    const env = bridgeEnv(fake.url, dataDir, { BRIDGE_ADAPTERS: 'ada', ADA_WEBHOOK_SECRETS: makeSecret(), LOG_LEVEL: 'info' });
    const holder = await spawnDaemon(env);
    children.push(holder);

    const second = await runOnce(env);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`data dir ${dataDir} is in use by process ${holder.child.pid}`);
    expect(second.ms).toBeLessThan(10_000);
    // The holder never noticed.
    expect((await fetch(`http://127.0.0.1:${holder.port}/readyz`)).status).toBe(200);

    // Another data dir is another store: no conflict.
    const elsewhere = await spawnDaemon({ ...env, BRIDGE_DATA_DIR: mkdtempSync(join(tmpdir(), 'run-lock-other-')) });
    children.push(elsewhere);
    expect((await fetch(`http://127.0.0.1:${elsewhere.port}/readyz`)).status).toBe(200);

    holder.child.kill('SIGKILL');
    expect(await holder.exited).toBe('SIGKILL');
    const next = await spawnDaemon(env);
    children.push(next);
    expect((await fetch(`http://127.0.0.1:${next.port}/readyz`)).status).toBe(200);
    expect((await runOnce(env)).stderr).toContain(`in use by process ${next.child.pid}`);
  }, 60_000);
});
