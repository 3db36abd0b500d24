// The Genesys write-back through the real SDK (purecloud-platform-client-v2, default import, setGateway) against
// a node:http fake of the Genesys routes it calls (fake-genesys.ts; to be swapped for src/sim/genesys when the
// simulated org has these routes): the last agent's participant, the attribute or wrap-up notes, idempotence,
// and which failures are worth a retry.
import platformClient from 'purecloud-platform-client-v2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGenesysSummaryWriter, type GenesysWriteBackMode } from '../../adapters/genesys/summary-writeback.js';
import { SummaryWriteError } from '../../src/summary/writer.js';
import { FakeGenesys, type FakeParticipant } from './fake-genesys.js';

const SUMMARY = 'Customer reported a missing parcel; agent sent a replacement.';
const KEY = 'agentai.summary';

let genesys: FakeGenesys;
const apiClient = platformClient.ApiClient;

beforeAll(async () => {
  genesys = await FakeGenesys.start();
  apiClient.setGateway({ host: '127.0.0.1', protocol: 'http', port: genesys.port, path_params_login: '', path_params_api: '' });
  await apiClient.loginClientCredentialsGrant('genesys-client', 'genesys-secret');
});
afterAll(async () => {
  apiClient.setGateway(undefined as never);
  await genesys.close();
});

function seed(conversationId: string, participants: FakeParticipant[]): void {
  genesys.conversations.set(conversationId, { id: conversationId, participants });
}

beforeEach(() => {
  genesys.conversations.clear();
  genesys.requests.length = 0;
  seed('gc-1', [
    { id: 'p-customer', purpose: 'customer', calls: [{ id: 'call-c' }] },
    { id: 'p-a1', purpose: 'agent', userId: 'user-A', attributes: { other: 'keep me' }, calls: [{ id: 'call-a1' }] },
    { id: 'p-b', purpose: 'agent', userId: 'user-B', calls: [{ id: 'call-b' }] },
    // user-A came back (a transfer back): the write goes to this, the last participant of user-A
    { id: 'p-a2', purpose: 'agent', userId: 'user-A', attributes: { other: 'keep me' }, calls: [{ id: 'call-a2-old' }, { id: 'call-a2' }], wrapup: { code: 'wc-resolved', notes: 'Agent note.' } },
  ]);
});

const writer = (mode: GenesysWriteBackMode, wrapupCodeId = '') => createGenesysSummaryWriter(apiClient, { mode, attributeName: KEY, wrapupCodeId });
const req = (over: Partial<{ platformConversationId: string; agentIdentity: string; summary: string }> = {}) => ({
  platformConversationId: 'gc-1',
  agentIdentity: 'user-A',
  summary: SUMMARY,
  ...over,
});

describe('GenesysSummaryWriter, attribute mode (PATCH participant attributes)', () => {
  it("writes the summary on the last agent's participant, leaving other attributes alone", async () => {
    await expect(writer('attribute').write(req())).resolves.toBe('written');
    expect(genesys.participant('gc-1', 'p-a2')?.attributes).toEqual({ other: 'keep me', [KEY]: SUMMARY });
    expect(genesys.participant('gc-1', 'p-a1')?.attributes).toEqual({ other: 'keep me' });
    expect(genesys.writes()).toEqual([
      { method: 'PATCH', path: '/api/v2/conversations/gc-1/participants/p-a2/attributes', body: { attributes: { [KEY]: SUMMARY } }, authorization: 'Bearer fake-genesys-token' },
    ]);
  });

  it('is idempotent: the same summary again reads, finds it, writes nothing', async () => {
    const w = writer('attribute');
    await w.write(req());
    genesys.requests.length = 0;
    await expect(w.write(req())).resolves.toBe('unchanged');
    expect(genesys.writes()).toEqual([]);
    expect(genesys.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/v2/conversations/gc-1']);
    // A different summary (a re-summarised conversation) does replace it.
    await expect(w.write(req({ summary: 'Newer summary.' }))).resolves.toBe('written');
    expect(genesys.participant('gc-1', 'p-a2')?.attributes?.[KEY]).toBe('Newer summary.');
  });

  it('says "not found here" when the agent has no participant, or the conversation is unknown', async () => {
    const absent = await writer('attribute').write(req({ agentIdentity: 'user-Z' })).catch((e: unknown) => e);
    expect(absent).toBeInstanceOf(SummaryWriteError);
    expect(absent).toMatchObject({ notFound: true, retryable: false });
    const unknown = await writer('attribute').write(req({ platformConversationId: 'gc-missing' })).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ notFound: true, retryable: false });
    expect((unknown as Error).message).toContain('HTTP 404');
  });

  it('marks 429/5xx as retryable and 403 as final', async () => {
    genesys.fail(429, 1, 'PATCH');
    expect(await writer('attribute').write(req()).catch((e: unknown) => e)).toMatchObject({ retryable: true, notFound: false });
    genesys.fail(503, 1, 'GET');
    expect(await writer('attribute').write(req()).catch((e: unknown) => e)).toMatchObject({ retryable: true });
    genesys.fail(403, 1, 'PATCH');
    expect(await writer('attribute').write(req()).catch((e: unknown) => e)).toMatchObject({ retryable: false, notFound: false });
    // and after the faults, it goes through
    await expect(writer('attribute').write(req())).resolves.toBe('written');
  });

  it('matches a participant by its id when the adapter had no user id', async () => {
    seed('gc-2', [{ id: 'p-anon', purpose: 'agent', calls: [{ id: 'c1' }] }]);
    await expect(writer('attribute').write(req({ platformConversationId: 'gc-2', agentIdentity: 'p-anon' }))).resolves.toBe('written');
  });
});

describe('GenesysSummaryWriter, wrapup mode (communication wrap-up notes)', () => {
  it("appends to the agent's notes, keeps the agent's code, on the last communication", async () => {
    await expect(writer('wrapup').write(req())).resolves.toBe('written');
    expect(genesys.writes()).toEqual([
      {
        method: 'POST',
        path: '/api/v2/conversations/calls/gc-1/participants/p-a2/communications/call-a2/wrapup',
        body: { code: 'wc-resolved', notes: `Agent note.\n\n${SUMMARY}` },
        authorization: 'Bearer fake-genesys-token',
      },
    ]);
    genesys.requests.length = 0;
    await expect(writer('wrapup').write(req())).resolves.toBe('unchanged');
    expect(genesys.writes()).toEqual([]);
  });

  it('uses summary.wrapupCodeId when the agent has no wrap-up yet, and refuses without any code', async () => {
    seed('gc-3', [{ id: 'p-m', purpose: 'agent', userId: 'user-A', messages: [{ id: 'msg-1' }] }]);
    const none = await writer('wrapup').write(req({ platformConversationId: 'gc-3' })).catch((e: unknown) => e);
    expect(none).toMatchObject({ retryable: false, notFound: false });
    await expect(writer('wrapup', 'wc-default').write(req({ platformConversationId: 'gc-3' }))).resolves.toBe('written');
    expect(genesys.participant('gc-3', 'p-m')?.wrapup).toEqual({ code: 'wc-default', notes: SUMMARY });
    expect(genesys.writes().at(-1)?.path).toBe('/api/v2/conversations/messages/gc-3/participants/p-m/communications/msg-1/wrapup');
  });
});

describe('GenesysSummaryWriter, both', () => {
  it('writes attribute and notes; unchanged only when both already hold it', async () => {
    await expect(writer('both').write(req())).resolves.toBe('written');
    expect(genesys.writes().map((w) => w.method)).toEqual(['PATCH', 'POST']);
    await expect(writer('both').write(req())).resolves.toBe('unchanged');
    // Someone cleared the attribute: only that is written again.
    const p = genesys.participant('gc-1', 'p-a2');
    if (p) p.attributes = {};
    genesys.requests.length = 0;
    await expect(writer('both').write(req())).resolves.toBe('written');
    expect(genesys.writes().map((w) => w.method)).toEqual(['PATCH']);
  });
});
