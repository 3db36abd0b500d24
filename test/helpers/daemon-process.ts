// Runs the built CLI (`node dist/bin/agentai-bridge.js run`) as a real child process, for signal and crash tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/bin/agentai-bridge.js', import.meta.url));

export interface DaemonProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly lines: string[];
  /** Resolves with the exit code (or the signal name). */
  readonly exited: Promise<number | string>;
}

export async function spawnDaemon(env: NodeJS.ProcessEnv): Promise<DaemonProcess> {
  const child = spawn(process.execPath, [CLI, 'run'], {
    env: { PATH: process.env.PATH, BRIDGE_HTTP_PORT: '0', BRIDGE_HTTP_HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const port = await new Promise<number>((resolve, reject) => {
    // A deadline for a start that hangs, not a wait: several daemons starting at once on two loaded cores take seconds each.
    const timer = setTimeout(() => reject(new Error(`daemon did not report its port:\n${lines.join('\n')}`)), 30_000);
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        lines.push(line);
        const m = /"event":"bridge.running"/.test(line) ? /"port":(\d+)/.exec(line) : null;
        if (m?.[1]) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
    }
    void exited.then((code) => reject(new Error(`daemon exited (${code}) before it was ready:\n${lines.join('\n')}`)));
  });
  return { child, port, lines, exited };
}
