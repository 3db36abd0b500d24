// Several real `agentai-bridge run` processes on one PostgreSQL schema: a cluster of replicas, with the
// simulated Genesys org (the leader's subscription) and the fake Agent AI in the test process.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { spawnDaemon, type DaemonProcess } from '../helpers/daemon-process.js';
import { bridgeEnv } from '../helpers/harness.js';
import { PG_URL } from '../helpers/postgres.js';

export { ADA_EXPECTED, adaConversation, dedupeAdjacent, short } from '../helpers/ada-conversation.js';

/** Cluster timings: short so tests are quick, in the same proportions as the defaults. */
export function clusterEnv(agentAiUrl: string, schema: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return bridgeEnv(agentAiUrl, mkdtempSync(join(tmpdir(), 'replica-')), {
    BRIDGE_STORE: 'postgres',
    BRIDGE_POSTGRES_URL: PG_URL,
    BRIDGE_POSTGRES_SCHEMA: schema,
    BRIDGE_LEASE_TTL_MS: '1500',
    BRIDGE_LEASE_HEARTBEAT_MS: '300',
    BRIDGE_CLAIM_TTL_MS: '1500',
    BRIDGE_SETTLE_MS: '50',
    LOG_LEVEL: 'info',
    ...extra,
  });
}

const statusSchema = z.object({
  replica: z.object({ id: z.string(), role: z.enum(['leader', 'follower']), state: z.string().optional(), epoch: z.number().optional() }).passthrough(),
  delivery: z.record(z.string(), z.number()).optional(),
  store: z.object({ deadLetters: z.number() }).passthrough().optional(),
}).passthrough();
export type ReplicaStatus = z.infer<typeof statusSchema>;

export async function status(port: number): Promise<ReplicaStatus | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/status`, { signal: AbortSignal.timeout(2_000) });
    return statusSchema.parse(await res.json());
  } catch {
    return undefined;
  }
}

export async function readyz(port: number): Promise<number> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2_000) })).status;
  } catch {
    return 0;
  }
}

export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const logLine = z.object({ time: z.string(), level: z.string(), event: z.string().optional(), msg: z.string().optional() }).passthrough();
/** What tells the story of a cluster test: leadership, the subscription's channels and sockets, and every warning. */
const NOTABLE = /^(lease|genesys\.(channel|socket|reconnect|started|connect)|bridge|store)\./;

export class Cluster {
  readonly replicas: DaemonProcess[] = [];
  private readonly ids = new Map<DaemonProcess, string>();

  constructor(readonly env: NodeJS.ProcessEnv) {}

  async add(id: string, extra: NodeJS.ProcessEnv = {}): Promise<DaemonProcess> {
    const d = await spawnDaemon({ ...this.env, BRIDGE_REPLICA_ID: id, ...extra });
    this.replicas.push(d);
    this.ids.set(d, id);
    return d;
  }

  /**
   * For a failed test: each replica's last notable log lines and how it ended, one `replica-log` line each, so
   * that a failure seen only in CI's output can be read without the run's files.
   */
  report(max = 20): string {
    const out: string[] = [];
    for (const d of this.replicas) {
      const id = this.ids.get(d) ?? String(d.port);
      const notable = d.lines.flatMap((raw) => {
        let parsed;
        try {
          parsed = logLine.safeParse(JSON.parse(raw));
        } catch {
          return [`(not JSON) ${raw.slice(0, 200)}`];
        }
        if (!parsed.success) return [];
        const { time, level, event = '', msg = '' } = parsed.data;
        return level === 'warn' || level === 'error' || level === 'fatal' || NOTABLE.test(event) ? [`${time.slice(11, 23)} ${level} ${event} ${msg}`] : [];
      });
      for (const line of notable.slice(-max)) out.push(`replica-log ${id} ${line}`);
      out.push(`replica-log ${id} exit=${d.child.exitCode ?? d.child.signalCode ?? 'running'}`);
    }
    return `${out.join('\n')}\n`;
  }

  alive(): DaemonProcess[] {
    return this.replicas.filter((d) => d.child.exitCode === null && d.child.signalCode === null);
  }

  /** The replicas reporting role leader now. */
  async leaders(among: readonly DaemonProcess[] = this.alive()): Promise<DaemonProcess[]> {
    const roles = await Promise.all(among.map(async (d) => ((await status(d.port))?.replica.role === 'leader' ? d : undefined)));
    return roles.filter((d): d is DaemonProcess => d !== undefined);
  }

  /** Waits until exactly one of `among` is the leader, and returns it. */
  async leader(timeoutMs: number, among?: readonly DaemonProcess[]): Promise<DaemonProcess> {
    return eventually(async () => {
      const l = await this.leaders(among);
      return l.length === 1 ? l[0] : undefined;
    }, timeoutMs, 'exactly one leader');
  }

  async stop(): Promise<void> {
    for (const d of this.replicas) {
      if (d.child.signalCode === 'SIGSTOP' || d.child.exitCode === null) {
        d.child.kill('SIGCONT');
        d.child.kill('SIGKILL');
      }
    }
    await Promise.all(this.replicas.map((d) => d.exited));
  }
}
