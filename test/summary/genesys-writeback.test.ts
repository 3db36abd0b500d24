// The Genesys write-back through the real SDK (purecloud-platform-client-v2, default import, setGateway) against
// the simulated Genesys org (src/sim/genesys): the last agent's participant, the attribute or wrap-up notes,
// idempotence, and which failures are worth a retry.
import platformClient from 'purecloud-platform-client-v2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGenesysSummaryWriter, type GenesysWriteBackMode } from '../../adapters/genesys/summary-writeback.js';
import type { GenesysSim } from '../../src/sim/genesys/server.js';
import { SummaryWriteError } from '../../src/summary/writer.js';
import { CounterDelta, seedConversation, startSimGenesys, stopSimGenesys } from './sim-genesys.js';

const SUMMARY = 'Customer reported a missing parcel; agent sent a replacement.';
const KEY = 'agentai.summary';

let sim: GenesysSim;
let delta: CounterDelta;
const apiClient = platformClient.ApiClient;
/** This test's conversation: a fresh id per test, since what the org records stays for its lifetime. */
let gc = '';
let n = 0;

beforeAll(async () => {
  sim = await startSimGenesys();
});
afterAll(async () => {
  await stopSimGenesys(sim);
});

beforeEach(() => {
  n += 1;
  gc = `gc-${n}`;
  seedConversation(sim, gc, [
    { id: 'p-customer', purpose: 'customer', calls: ['call-c'] },
    { id: 'p-a1', purpose: 'agent', userId: 'user-A', attributes: { other: 'keep me' }, calls: ['call-a1'] },
    { id: 'p-b', purpose: 'agent', userId: 'user-B', calls: ['call-b'] },
    // user-A came back (a transfer back): the write goes to this, the last participant of user-A
    { id: 'p-a2', purpose: 'agent', userId: 'user-A', attributes: { other: 'keep me' }, calls: ['call-a2-old', 'call-a2'] },
  ]);
  sim.org.setParticipantWrapup(gc, 'p-a2', { code: 'wc-resolved', notes: 'Agent note.', media: 'calls', communicationId: 'call-a2' });
  delta = new CounterDelta(sim);
});

const writer = (mode: GenesysWriteBackMode, wrapupCodeId = '') => createGenesysSummaryWriter(apiClient, { mode, attributeName: KEY, wrapupCodeId });
const req = (over: Partial<{ platformConversationId: string; agentIdentity: string; summary: string }> = {}) => ({
  platformConversationId: gc,
  agentIdentity: 'user-A',
  summary: SUMMARY,
  ...over,
});

describe('GenesysSummaryWriter, attribute mode (PATCH participant attributes)', () => {
  it("writes the summary on the last agent's participant, leaving other attributes alone", async () => {
    await expect(writer('attribute').write(req())).resolves.toBe('written');
    expect(sim.org.participantAttributes(gc, 'p-a2')).toEqual({ other: 'keep me', [KEY]: SUMMARY });
    expect(sim.org.participantAttributes(gc, 'p-a1')).toEqual({ other: 'keep me' });
    expect(sim.org.participantAttributes(gc, 'p-b')).toEqual({});
    expect(delta.writes()).toEqual({ patches: 1, wrapups: 0 });
    // and GET conversation (what the next writer reads) shows it too
    const conversation = await new platformClient.ConversationsApi(apiClient).getConversation(gc);
    expect(conversation.participants?.find((p) => p.id === 'p-a2')?.attributes).toEqual({ other: 'keep me', [KEY]: SUMMARY });
  });

  it('is idempotent: the same summary again reads, finds it, writes nothing', async () => {
    const w = writer('attribute');
    await w.write(req());
    delta.mark();
    await expect(w.write(req())).resolves.toBe('unchanged');
    expect(delta.writes()).toEqual({ patches: 0, wrapups: 0 });
    expect(delta.of('requests')).toBe(1);
    expect(delta.of('conversationGets')).toBe(1);
    // A different summary (a re-summarised conversation) does replace it.
    await expect(w.write(req({ summary: 'Newer summary.' }))).resolves.toBe('written');
    expect(sim.org.participantAttributes(gc, 'p-a2')?.[KEY]).toBe('Newer summary.');
  });

  it('says "not found here" when the agent has no participant, or the conversation is unknown', async () => {
    const absent = await writer('attribute').write(req({ agentIdentity: 'user-Z' })).catch((e: unknown) => e);
    expect(absent).toBeInstanceOf(SummaryWriteError);
    expect(absent).toMatchObject({ notFound: true, retryable: false });
    const unknown = await writer('attribute').write(req({ platformConversationId: 'gc-missing' })).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ notFound: true, retryable: false });
    expect((unknown as Error).message).toContain('HTTP 404');
    expect(delta.writes()).toEqual({ patches: 0, wrapups: 0 });
  });

  it('marks 429/5xx as retryable and 403 as final', async () => {
    sim.failRequests(429, 1, 'PATCH');
    expect(await writer('attribute').write(req()).catch((e: unknown) => e)).toMatchObject({ retryable: true, notFound: false });
    sim.failRequests(503, 1, 'GET');
    expect(await writer('attribute').write(req()).catch((e: unknown) => e)).toMatchObject({ retryable: true });
    sim.failRequests(403, 1, 'PATCH');
    expect(await writer('attribute').write(req()).catch((e: unknown) => e)).toMatchObject({ retryable: false, notFound: false });
    expect(delta.of('failed')).toBe(3);
    expect(sim.org.participantAttributes(gc, 'p-a2')).toEqual({ other: 'keep me' });
    // and after the faults, it goes through
    await expect(writer('attribute').write(req())).resolves.toBe('written');
  });

  it('matches a participant by its id when the adapter had no user id', async () => {
    seedConversation(sim, `${gc}-anon`, [{ id: 'p-anon', purpose: 'agent', calls: ['c1'] }]);
    await expect(writer('attribute').write(req({ platformConversationId: `${gc}-anon`, agentIdentity: 'p-anon' }))).resolves.toBe('written');
    expect(sim.org.participantAttributes(`${gc}-anon`, 'p-anon')).toEqual({ [KEY]: SUMMARY });
  });
});

describe('GenesysSummaryWriter, wrapup mode (communication wrap-up notes)', () => {
  it("appends to the agent's notes, keeps the agent's code, on the last communication", async () => {
    await expect(writer('wrapup').write(req())).resolves.toBe('written');
    expect(delta.writes()).toEqual({ patches: 0, wrapups: 1 });
    expect(sim.org.participantWrapup(gc, 'p-a2')).toEqual({ code: 'wc-resolved', notes: `Agent note.\n\n${SUMMARY}`, media: 'calls', communicationId: 'call-a2' });
    delta.mark();
    await expect(writer('wrapup').write(req())).resolves.toBe('unchanged');
    expect(delta.writes()).toEqual({ patches: 0, wrapups: 0 });
  });

  it('uses summary.wrapupCodeId when the agent has no wrap-up yet, and refuses without any code', async () => {
    const digital = `${gc}-msg`;
    seedConversation(sim, digital, [{ id: 'p-m', purpose: 'agent', userId: 'user-A', messages: ['msg-1'] }]);
    const none = await writer('wrapup').write(req({ platformConversationId: digital })).catch((e: unknown) => e);
    expect(none).toMatchObject({ retryable: false, notFound: false });
    expect(delta.writes()).toEqual({ patches: 0, wrapups: 0 });
    await expect(writer('wrapup', 'wc-default').write(req({ platformConversationId: digital }))).resolves.toBe('written');
    expect(sim.org.participantWrapup(digital, 'p-m')).toEqual({ code: 'wc-default', notes: SUMMARY, media: 'messages', communicationId: 'msg-1' });
  });
});

describe('GenesysSummaryWriter, both', () => {
  it('writes attribute and notes; unchanged only when both already hold it', async () => {
    await expect(writer('both').write(req())).resolves.toBe('written');
    expect(delta.writes()).toEqual({ patches: 1, wrapups: 1 });
    delta.mark();
    await expect(writer('both').write(req())).resolves.toBe('unchanged');
    expect(delta.writes()).toEqual({ patches: 0, wrapups: 0 });
    // Someone blanked the attribute: only that is written again.
    await new platformClient.ConversationsApi(apiClient).patchConversationParticipantAttributes(gc, 'p-a2', { attributes: { [KEY]: '' } });
    delta.mark();
    await expect(writer('both').write(req())).resolves.toBe('written');
    expect(delta.writes()).toEqual({ patches: 1, wrapups: 0 });
    expect(sim.org.participantAttributes(gc, 'p-a2')?.[KEY]).toBe(SUMMARY);
  });
});
