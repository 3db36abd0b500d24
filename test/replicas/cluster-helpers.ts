// Several real `agentai-bridge run` processes on one PostgreSQL schema: a cluster of replicas, with the
// simulated Genesys org (the leader's subscription) and the fake Agent AI in the test process.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { created, ended, handoffEnded, message } from '../../adapters/ada/test/harness.js';
import { spawnDaemon, type DaemonProcess } from '../helpers/daemon-process.js';
import { bridgeEnv } from '../helpers/harness.js';
import { PG_URL } from '../helpers/postgres.js';

export const ADA_EXPECTED = ['NA entry agent-sam', 'message USER', 'message AGENT', 'message USER', 'message AGENT', 'NA exit agent-sam', 'TRIGGER_SUMMARY_EVENT', 'END_OF_CONVERSATION'];

export function adaConversation(conv: string): unknown[] {
  return [
    created(conv, 0),
    message(conv, 1000, { role: 'end_user', text: 'hello?' }),
    message(conv, 2000, { role: 'human_agent', text: 'Sam here', authorId: 'agent-sam', name: 'Sam' }),
    message(conv, 3000, { role: 'end_user', text: 'my parcel' }),
    message(conv, 4000, { role: 'human_agent', text: 'on its way', authorId: 'agent-sam', name: 'Sam' }),
    handoffEnded(conv, 5000),
    ended(conv, 6000),
  ];
}

export const short = (labels: readonly string[]): string[] => labels.map((l) => l.replace(/^(message \w+).*/, '$1'));
/** A call resent after an unknown outcome arrives twice in a row; that is the only repetition allowed. */
export const dedupeAdjacent = (labels: readonly string[]): string[] => labels.filter((l, i) => l !== labels[i - 1]);

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
    const res = await fetch(`http://127.0.0.1:${port}/status`);
    return statusSchema.parse(await res.json());
  } catch {
    return undefined;
  }
}

export async function readyz(port: number): Promise<number> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/readyz`)).status;
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

export class Cluster {
  readonly replicas: DaemonProcess[] = [];

  constructor(readonly env: NodeJS.ProcessEnv) {}

  async add(id: string, extra: NodeJS.ProcessEnv = {}): Promise<DaemonProcess> {
    const d = await spawnDaemon({ ...this.env, BRIDGE_REPLICA_ID: id, ...extra });
    this.replicas.push(d);
    return d;
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
