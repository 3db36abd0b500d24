// The built CLI: `check-config` and `run` refuse the same bad configurations, with exit 78 and one line per bad
// key, before anything is opened (no bridge.sqlite, no lock in the data dir). A mistyped setting is warned of.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI } from '../helpers/daemon-process.js';

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** What the command left in its data dir. */
  readonly dataDir: string[];
}

function cli(command: 'run' | 'check-config', env: NodeJS.ProcessEnv): Promise<Outcome> {
  const dataDir = mkdtempSync(join(tmpdir(), 'config-errors-'));
  const fullEnv = {
    PATH: process.env.PATH,
    AGENTAI_URL: 'http://127.0.0.1:9',
    AGENTAI_BOT_ID: 'st-1',
    AGENTAI_CLIENT_ID: 'cs-1',
    AGENTAI_CLIENT_SECRET: 'agentai-secret',
    BRIDGE_DATA_DIR: dataDir,
    BRIDGE_HTTP_PORT: '0',
    BRIDGE_HTTP_HOST: '127.0.0.1',
    ...env,
  };
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, command], { env: fullEnv, timeout: 45_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr, dataDir: readdirSync(dataDir) });
    });
  });
}

const genesys = { GENESYS_CLIENT_ID: 'gc', GENESYS_CLIENT_SECRET: 'genesys-secret', GENESYS_QUEUE_IDS: 'all', GENESYS_GATEWAY_URL: 'http://127.0.0.1:9' };
const ADA_SECRET = `whsec_${Buffer.from('ada-signing-key').toString('base64')}`;
const ada = { BRIDGE_ADAPTERS: 'ada', ADA_WEBHOOK_SECRETS: ADA_SECRET };

/** Both commands: exit 78, the same problem lines, nothing created. */
async function refusedByBoth(env: NodeJS.ProcessEnv): Promise<string[]> {
  const [check, run] = await Promise.all([cli('check-config', env), cli('run', env)]);
  for (const outcome of [check, run]) {
    expect(outcome.code, outcome.stderr).toBe(78);
    expect(outcome.dataDir).toEqual([]);
    expect(outcome.stderr).not.toMatch(/\n\s+at /);
    expect(outcome.stderr).toMatch(/configuration problem\(s\); nothing was started/);
  }
  const lines = (o: Outcome) => o.stderr.split('\n').filter((l) => l.startsWith('config error: '));
  expect(lines(run)).toEqual(lines(check));
  return lines(check);
}

describe('bad configuration through the built CLI', { timeout: 60_000 }, () => {
  it('an ordering buffer Ada would time out on', async () => {
    expect(await refusedByBoth({ ...ada, ADA_ORDERING_BUFFER_MS: '20000' })).toEqual([
      'config error: ada.orderingBufferMs (ADA_ORDERING_BUFFER_MS): must be at most 10000 (Ada gives up on a webhook after 15 s)',
    ]);
  });

  it('a malformed Ada secret, never echoed', async () => {
    const secret = 'whsec_!!not-base64!!';
    const lines = await refusedByBoth({ ...ada, ADA_WEBHOOK_SECRETS: secret });
    expect(lines).toEqual([
      'config error: ada.webhookSecrets (ADA_WEBHOOK_SECRETS): the secret is not a valid Svix secret (whsec_ followed by base64, as Ada shows it)',
    ]);
    expect(lines.join('\n')).not.toContain('not-base64');
  });

  it('a Genesys topic headroom as large as the channel', async () => {
    expect(await refusedByBoth({ ...genesys, GENESYS_TOPIC_HEADROOM: '1000' })).toEqual([
      'config error: genesys.topicHeadroom (GENESYS_TOPIC_HEADROOM): must be smaller than GENESYS_TOPICS_PER_CHANNEL (1000): the headroom is kept free on each channel',
    ]);
  });

  it('booleans other than true/false/1/0/yes/no, one line per key', async () => {
    const values = ['off', '', 'garbage'];
    const outcomes = await Promise.all(values.map((value) => refusedByBoth({ ...genesys, AGENTAI_SUMMARY: value, SUMMARY_POLL: value })));
    values.forEach((value, i) => {
      // convict quotes the value it could not read, unless it is empty.
      const shown = value === '' ? '' : `: value was "${value}"`;
      expect(outcomes[i]?.sort()).toEqual([
        `config error: agentai.summary.enabled (AGENTAI_SUMMARY): must be true or false (also 1/0, yes/no)${shown}`,
        `config error: summary.poll (SUMMARY_POLL): must be true or false (also 1/0, yes/no)${shown}`,
      ]);
    });
  });

  it('0 and no switch summaries and polling off', async () => {
    const checks = await Promise.all(['0', 'no'].map((value) => cli('check-config', { ...genesys, AGENTAI_SUMMARY: value, SUMMARY_POLL: value })));
    for (const check of checks) {
      expect(check.code, check.stderr).toBe(0);
      const shown = JSON.parse(check.stdout) as { agentai: { summary: { enabled: boolean } }; summary: { poll: boolean } };
      expect([shown.agentai.summary.enabled, shown.summary.poll]).toEqual([false, false]);
    }
  });
});

describe('a mistyped setting through the built CLI', { timeout: 60_000 }, () => {
  it('is warned of with the nearest setting, and the config still loads', async () => {
    const check = await cli('check-config', { ...genesys, GENESYS_TOPICS_PER_CHANEL: '500' });
    expect(check.code, check.stderr).toBe(0);
    expect(check.stderr.split('\n')).toContain(
      'config warning: GENESYS_TOPICS_PER_CHANEL is not a setting and is ignored; did you mean GENESYS_TOPICS_PER_CHANNEL (genesys.topicsPerChannel)?',
    );
    expect(JSON.parse(check.stdout)).toMatchObject({ genesys: { topicsPerChannel: 1000, clientSecret: '********' } });
  });
});
