// The reference of goal 2, run as its own process: a loop that takes each Genesys frame off the websocket and
// POSTs its message straight to the receiver with undici, no store, no sequencer, no adapter. It subscribes
// as the bridge does (the queue topic, then each voice conversation's transcription topic), so the same frame
// source and receiver measure how fast the harness itself can go. Runs until SIGTERM.
// argv: GENESYS_URL CLIENT_ID CLIENT_SECRET AGENTAI_URL QUEUE_ID CONNECTIONS
import { Pool, request } from 'undici';
import WebSocket from 'ws';
import { z } from 'zod';
import { DEFAULT_HOOKS_PATH } from '../src/agentai/client.js';
import { TokenMinter } from '../src/agentai/jwt.js';
import { BOT } from './common.js';

const [genesysUrl = '', clientId = '', clientSecret = '', agentaiUrl = '', queueId = '', connections = '16'] = process.argv.slice(2);

const Channel = z.object({ id: z.string(), connectUri: z.string() });
const Token = z.object({ access_token: z.string() });
const Frame = z.object({ topicName: z.string(), eventBody: z.record(z.string(), z.unknown()).optional() });
const Conversation = z.object({ id: z.string(), participants: z.array(z.object({ purpose: z.string().optional(), userId: z.string().optional() })).optional() });
const Transcription = z.object({
  conversationId: z.string(),
  transcripts: z.array(z.object({ isFinal: z.boolean().optional(), channel: z.string().optional(), alternatives: z.array(z.object({ decoratedTranscript: z.string().optional() })).optional() })).optional(),
});

async function api(method: string, path: string, token: string, body?: unknown): Promise<unknown> {
  const res = await request(`${genesysUrl}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return res.body.json();
}

const login = await request(`${genesysUrl}/oauth/token`, {
  method: 'POST',
  headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
  body: 'grant_type=client_credentials',
});
const token = Token.parse(await login.body.json()).access_token;
const channel = Channel.parse(await api('POST', '/api/v2/notifications/channels', token));
const subscribe = (topic: string): Promise<unknown> => api('POST', `/api/v2/notifications/channels/${channel.id}/subscriptions`, token, [{ id: topic }]);
await subscribe(`v2.routing.queues.${queueId}.conversations`);

const pool = new Pool(agentaiUrl, { connections: Number(connections) });
const minter = new TokenMinter({ ttlSeconds: 3600, jti: false });
const path = `${DEFAULT_HOOKS_PATH}/${encodeURIComponent(BOT.botId)}`;
const agents = new Map<string, string>();

async function post(body: unknown): Promise<void> {
  const jwt = await minter.token(BOT.clientId, BOT.clientSecret);
  const res = await pool.request({ method: 'POST', path, headers: { token: jwt, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await res.body.text();
}

const ws = new WebSocket(channel.connectUri);
ws.on('message', (data: Buffer) => {
  const frame = Frame.safeParse(JSON.parse(data.toString('utf8')));
  if (!frame.success || !frame.data.eventBody) return;
  if (frame.data.topicName.endsWith('.transcription')) {
    const t = Transcription.safeParse(frame.data.eventBody);
    if (!t.success) return;
    for (const tr of t.data.transcripts ?? []) {
      const text = tr.alternatives?.[0]?.decoratedTranscript;
      if (!tr.isFinal || !text) continue;
      const author = tr.channel === 'INTERNAL' ? 'AGENT' : 'USER';
      void post({
        conversationId: t.data.conversationId, botId: BOT.botId, query: text, agentId: agents.get(t.data.conversationId) ?? 'unknown', experience: 'voice',
        author: { type: author }, source: 'genesys', sendUserMessage: author === 'USER', sendAgentMessage: author === 'AGENT', language: 'en',
      });
    }
    return;
  }
  const c = Conversation.safeParse(frame.data.eventBody);
  if (!c.success || agents.has(c.data.id)) return;
  const agent = c.data.participants?.find((p) => p.purpose === 'agent' && p.userId)?.userId;
  if (!agent) return;
  agents.set(c.data.id, agent);
  void subscribe(`v2.conversations.${c.data.id}.transcription`);
});
ws.on('open', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => {
  ws.close();
  void pool.close().then(() => process.exit(0));
});
