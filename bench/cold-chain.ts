// The replay workload of goal 1: the cold-chain fixture (Alice → Support queue → Bob → Carol, 8 hook calls)
// as 2,000 distinct conversations, each starting `spacingMs` after the previous one, their frames merged in
// time order as one socket would have delivered them. Written once per bench run to a scratch file.
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { rebase, scriptFromJsonl } from '../src/sim/genesys/script.js';
import { repoFile } from './common.js';

const FIXTURE_ID = 'c0ffee00-0000-4000-8000-000000000002';

export interface Workload {
  readonly path: string;
  readonly conversations: number;
  readonly frames: number;
}

export function writeColdChainWorkload(path: string, conversations: number, spacingMs = 250): Workload {
  const script = scriptFromJsonl('cold-chain', readFileSync(repoFile('test/fixtures/genesys/cold-chain.jsonl'), 'utf8'));
  const frames: { at: number; n: number; text: string }[] = [];
  for (let i = 0; i < conversations; i++) {
    const id = `c01d0000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
    const shift = i * spacingMs;
    script.steps.forEach((step, k) => {
      const body = rebase(step.body, script.startMs, script.startMs + shift, 1);
      const envelope = { topicName: step.topic, version: '2', eventBody: body, metadata: { CorrelationId: randomUUID() } };
      frames.push({ at: script.startMs + step.offsetMs + shift, n: i * 1000 + k, text: JSON.stringify(envelope).replaceAll(FIXTURE_ID, id) });
    });
  }
  frames.sort((a, b) => a.at - b.at || a.n - b.n);
  const heartbeat = JSON.stringify({ topicName: 'channel.metadata', eventBody: { message: 'WebSocket Heartbeat' } });
  writeFileSync(path, [heartbeat, ...frames.map((f) => f.text)].join('\n') + '\n');
  return { path, conversations, frames: frames.length };
}
