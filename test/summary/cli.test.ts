// `agentai-bridge summary CONVERSATION_ID [--history] [--json] [--bot NAME]` in-process, against the fake
// Agent AI's conversationDetails endpoint.
import { adapterModules } from '../../adapters/index.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { initialState } from '../../src/core/conversation-state.js';
import { FakeAgentAi } from '../../src/sim/agentai-receiver.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { openSummaryStore } from '../../src/summary/summary-store.js';
import { BOT, playConversation } from './helpers.js';
import { seedRecord } from '../helpers/store-seed.js';

const OTHER = { botId: 'st-other-bot', clientId: 'cs-other', clientSecret: 'other-secret-0123456789' };

class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

let fake: FakeAgentAi;
let dir: string;

beforeAll(async () => {
  fake = await FakeAgentAi.start({ bots: [BOT, OTHER], details: { summaryDelayMs: 50 } });
});
afterAll(async () => fake.close());
beforeEach(() => {
  fake.reset();
  dir = mkdtempSync(join(tmpdir(), 'summary-cli-'));
  return () => rmSync(dir, { recursive: true, force: true });
});

async function cli(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  const stdout = new Collect();
  const stderr = new Collect();
  const env: NodeJS.ProcessEnv = {
    AGENTAI_URL: fake.url,
    AGENTAI_BOT_ID: BOT.botId,
    AGENTAI_CLIENT_ID: BOT.clientId,
    AGENTAI_CLIENT_SECRET: BOT.clientSecret,
    BRIDGE_DATA_DIR: dir,
    SUMMARY_HISTORY_PAGE_SIZE: '3',
    SUMMARY_MAX_ATTEMPTS: '2',
    DELIVERY_BACKOFF_BASE_MS: '5',
    DELIVERY_BACKOFF_MAX_MS: '20',
    LOG_LEVEL: 'silent',
    ...extraEnv,
  };
  const code = await main(['summary', ...args], { env, stdout, stderr, modules: adapterModules });
  return { code, out: stdout.text, err: stderr.text };
}

const history = [
  { author: 'USER' as const, text: 'Hello, my internet is down since this morning.' },
  { author: 'AGENT' as const, text: 'Sorry to hear that. Let me check your line.' },
  { author: 'AGENT' as const, text: 'I see an outage in your area.' },
  { author: 'USER' as const, text: 'When will it be fixed?' },
  { author: 'AGENT' as const, text: 'Engineers expect it back by 6 pm.' },
  { author: 'USER' as const, text: 'OK thanks' },
  { author: 'BOT' as const, text: 'Conversation closed' },
];

describe('agentai-bridge summary', () => {
  it('prints the summary, and with --history every page of the history, readable in a terminal', async () => {
    await playConversation(fake.url, 'conv-cli', { trigger: false });
    fake.details.script('conv-cli', { history, summary: 'Customer reported an outage; agent gave the 6 pm ETA.', summaryAvailable: true });

    const plain = await cli(['conv-cli']);
    expect(plain.code).toBe(0);
    expect(plain.out).toContain('conversation conv-cli  (bot default)');
    expect(plain.out).toContain('  Customer reported an outage; agent gave the 6 pm ETA.');
    expect(plain.out).not.toContain('history:');

    const full = await cli(['conv-cli', '--history']);
    expect(full.code).toBe(0);
    expect(full.out).toContain('history: 7 message(s) in 3 page(s)');
    for (const m of history) expect(full.out).toContain(m.text);
    expect(full.out).toMatch(/incoming\s+Hello, my internet is down/);
    expect(full.out).toMatch(/outgoing\s+Sorry to hear that/);
  });

  it('--json gives the summary, conversationInfo and the history as JSON', async () => {
    await playConversation(fake.url, 'conv-json', { trigger: false });
    fake.details.script('conv-json', { history, summary: 'JSON summary.', summaryAvailable: true });
    const r = await cli(['--json', 'conv-json', '--history']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as { summary: { text: string; time: string }; history: unknown[]; pages: number; bot: string; conversationInfo: { callId: string } };
    expect(json.summary.text).toBe('JSON summary.');
    expect(json.history).toHaveLength(7);
    expect(json.pages).toBe(3);
    expect(json.bot).toBe('default');
    expect(json.conversationInfo.callId).toBe('conv-json');
    const withoutHistory = JSON.parse((await cli(['conv-json', '--json'])).out) as Record<string, unknown>;
    expect(withoutHistory).not.toHaveProperty('history');
  });

  it('says when there is no summary yet', async () => {
    await playConversation(fake.url, 'conv-early', { trigger: false });
    const r = await cli(['conv-early']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('summary: none yet');
    expect(JSON.parse((await cli(['conv-early', '--json'])).out)).toMatchObject({ summary: null });
  });

  it('fails with the reason for an unknown conversation', async () => {
    const r = await cli(['never-seen']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('HTTP 404');
    expect(r.err).not.toContain(BOT.clientSecret);
  });

  it('answers usage errors with exit code 2', async () => {
    expect((await cli([])).code).toBe(2);
    expect((await cli(['c', '--nope'])).code).toBe(2);
    expect((await cli(['c', '--bot'])).code).toBe(2);
    expect((await cli(['c', 'd'])).code).toBe(2);
    const r = await cli(['c', '--bot', 'nope']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('no bot named "nope"');
  });

  it("uses the bot the store recorded for the conversation (or --bot), and shows the follow-up's write-back", async () => {
    const file = join(dir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({
        agentai: {
          bots: [
            { name: 'main', ...BOT, default: true },
            { name: 'other', ...OTHER },
          ],
        },
      }),
    );
    const env = { BRIDGE_CONFIG: file, AGENTAI_BOT_ID: '', AGENTAI_CLIENT_ID: '', AGENTAI_CLIENT_SECRET: '' };
    const path = join(dir, 'bridge.sqlite');
    const store = openSqliteStore({ path });
    await seedRecord(store, { id: 'conv-other', bot: 'other', source: 'genesys', state: initialState() });
    await store.close();
    const summaries = openSummaryStore(path);
    await summaries.add({ conversationId: 'conv-other', bot: 'other', source: 'genesys', platformIds: ['conv-other'], agentIdentity: 'user-A', nextAt: 0, deadlineAt: 0 }, Date.now());
    await summaries.summaryFetched('conv-other', 'S', undefined, 'writing', Date.now());
    await summaries.finish('conv-other', 'written', undefined, Date.now());
    await summaries.close();
    fake.details.script('conv-other', { history: [], summary: 'Other bot summary.', summaryAvailable: true });

    const r = await cli(['conv-other'], env);
    expect(r.code).toBe(0);
    expect(r.out).toContain('(bot other)');
    expect(r.out).toContain('Other bot summary.');
    expect(r.out).toMatch(/write-back: written agent user-A/);
    expect(fake.details.requests().at(-1)?.botId).toBe(OTHER.botId);

    const forced = await cli(['conv-other', '--bot', 'main'], env);
    expect(forced.code).toBe(0);
    expect(forced.out).toContain('(bot main)');
    expect(fake.details.requests().at(-1)?.botId).toBe(BOT.botId);
  });
});
