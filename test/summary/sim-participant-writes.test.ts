// The simulated org's participant write routes over plain HTTP (what the SDK calls underneath): auth, body
// validation, 404s, PATCH attributes merged and visible in GET conversation and in the notification
// snapshots published afterwards, wrap-up stored per participant.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { buildScenario } from '../../src/sim/genesys/scenarios.js';
import { GenesysSim } from '../../src/sim/genesys/server.js';
import { seedConversation, SIM_GENESYS } from './sim-genesys.js';

let sim: GenesysSim;
let token = '';

beforeAll(async () => {
  sim = await GenesysSim.start(SIM_GENESYS);
  const res = await fetch(`${sim.url}/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${SIM_GENESYS.clientId}:${SIM_GENESYS.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  token = ((await res.json()) as { access_token: string }).access_token;
  seedConversation(sim, 'gc-r', [
    { id: 'p-c', purpose: 'customer', calls: ['call-c'] },
    { id: 'p-a', purpose: 'agent', userId: 'user-A', attributes: { queue: 'Support' }, calls: ['call-a'] },
  ]);
});
afterAll(async () => sim.close());

async function api(method: string, path: string, body?: unknown, auth = true): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: { ...(auth ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

const ATTRS = '/api/v2/conversations/gc-r/participants/p-a/attributes';
const WRAPUP = '/api/v2/conversations/gc-r/participants/p-a/wrapup';
const POST_WRAPUP = '/api/v2/conversations/calls/gc-r/participants/p-a/communications/call-a/wrapup';

describe('simulated org: participant writes', () => {
  it('needs a token, like every API route', async () => {
    expect((await api('PATCH', ATTRS, { attributes: { k: 'v' } }, false)).status).toBe(401);
    expect((await api('GET', WRAPUP, undefined, false)).status).toBe(401);
    expect((await api('POST', POST_WRAPUP, { code: 'wc' }, false)).status).toBe(401);
    expect(sim.org.participantAttributes('gc-r', 'p-a')).toEqual({ queue: 'Support' });
  });

  it('validates bodies (400 with the Genesys error body)', async () => {
    const bad = await api('PATCH', ATTRS, { attributes: { k: 1 } });
    expect(bad).toMatchObject({ status: 400, body: { code: 'bad.request', status: 400 } });
    expect((await api('PATCH', ATTRS, { k: 'v' })).status).toBe(400);
    expect((await api('POST', POST_WRAPUP, { notes: 'no code' })).status).toBe(400);
    expect(sim.org.participantWrapup('gc-r', 'p-a')).toBeUndefined();
  });

  it('answers 404 for unknown conversation, participant and communication ids', async () => {
    expect(await api('PATCH', '/api/v2/conversations/gc-x/participants/p-a/attributes', { attributes: { k: 'v' } })).toMatchObject({ status: 404, body: { code: 'not.found' } });
    expect((await api('PATCH', '/api/v2/conversations/gc-r/participants/p-x/attributes', { attributes: { k: 'v' } })).status).toBe(404);
    expect((await api('GET', '/api/v2/conversations/gc-r/participants/p-x/wrapup')).status).toBe(404);
    expect((await api('POST', '/api/v2/conversations/calls/gc-r/participants/p-a/communications/call-x/wrapup', { code: 'wc' })).status).toBe(404);
    // the communication exists, but not in that media list
    expect((await api('POST', '/api/v2/conversations/messages/gc-r/participants/p-a/communications/call-a/wrapup', { code: 'wc' })).status).toBe(404);
    // no wrap-up yet
    expect((await api('GET', WRAPUP)).status).toBe(404);
  });

  it('PATCH merges keys into the attributes, visible in GET conversation', async () => {
    expect(await api('PATCH', ATTRS, { attributes: { 'agentai.summary': 'first' } })).toEqual({ status: 202, body: undefined });
    await api('PATCH', ATTRS, { attributes: { 'agentai.summary': 'second', other: 'x' } });
    expect(sim.org.participantAttributes('gc-r', 'p-a')).toEqual({ queue: 'Support', 'agentai.summary': 'second', other: 'x' });
    const conversation = await api('GET', '/api/v2/conversations/gc-r');
    const participants = (conversation.body as { participants: Array<{ id: string; attributes: Record<string, string> }> }).participants;
    expect(participants.find((p) => p.id === 'p-a')?.attributes).toEqual({ queue: 'Support', 'agentai.summary': 'second', other: 'x' });
    expect(participants.find((p) => p.id === 'p-c')?.attributes).toEqual({});
  });

  it('POST wrap-up replaces the participant wrap-up; GET wrap-up reads it', async () => {
    expect((await api('POST', POST_WRAPUP, { code: 'wc-1', notes: 'first' })).status).toBe(202);
    expect((await api('POST', POST_WRAPUP, { code: 'wc-2', notes: 'second', tags: ['t'] })).status).toBe(202);
    expect(await api('GET', WRAPUP)).toEqual({ status: 200, body: { code: 'wc-2', notes: 'second', tags: ['t'], provisional: false } });
    expect(sim.org.participantWrapup('gc-r', 'p-a')).toEqual({ code: 'wc-2', notes: 'second', tags: ['t'], media: 'calls', communicationId: 'call-a' });
  });

  it('notification snapshots published after a PATCH carry the written attributes', async () => {
    const script = buildScenario('standard', 0, Date.now());
    const [first, ...rest] = script.steps;
    const last = rest.at(-1);
    if (!first || !last) throw new Error('scenario has no steps');
    const conversationId = String(first.body.id);
    // a subscriber on the scenario's queue topic
    const channel = (await api('POST', '/api/v2/notifications/channels')).body as { id: string; connectUri: string };
    await api('PUT', `/api/v2/notifications/channels/${channel.id}/subscriptions`, [{ id: first.topic }]);
    const ws = new WebSocket(channel.connectUri);
    const frames: Array<{ topicName: string; eventBody: { participants?: Array<{ id: string; purpose: string; attributes?: Record<string, string> }> } }> = [];
    ws.on('message', (data) => frames.push(JSON.parse(String(data)) as (typeof frames)[number]));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    try {
      sim.publish(first.topic, first.body);
      const agent = (last.body.participants as Array<{ id: string; purpose: string }>).filter((p) => p.purpose === 'agent').at(-1);
      if (!agent) throw new Error('scenario has no agent');
      expect((await api('PATCH', `/api/v2/conversations/${conversationId}/participants/${agent.id}/attributes`, { attributes: { k: 'v' } })).status).toBe(404); // not in the conversation yet
      for (const step of rest) sim.publish(step.topic, step.body);
      expect((await api('PATCH', `/api/v2/conversations/${conversationId}/participants/${agent.id}/attributes`, { attributes: { 'agentai.summary': 'S' } })).status).toBe(202);
      sim.publish(last.topic, last.body);
      const deadline = Date.now() + 2000;
      while (frames.filter((f) => f.topicName === first.topic).length < script.steps.length + 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const snapshots = frames.filter((f) => f.topicName === first.topic);
      expect(snapshots).toHaveLength(script.steps.length + 1);
      const attributesOf = (f: (typeof frames)[number] | undefined) => f?.eventBody.participants?.find((p) => p.id === agent.id)?.attributes;
      expect(attributesOf(snapshots.at(-2))).toEqual({});
      expect(attributesOf(snapshots.at(-1))).toEqual({ 'agentai.summary': 'S' });
      // the script's own body is left as it was
      expect((last.body.participants as Array<{ id: string; attributes: unknown }>).find((p) => p.id === agent.id)?.attributes).toEqual({});
    } finally {
      ws.terminate();
    }
  });
});
