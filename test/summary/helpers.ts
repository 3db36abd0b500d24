// Shared pieces of the summary tests: a bot, a way to play a short conversation into the fake Agent AI
// (so it has a history and, after TRIGGER_SUMMARY_EVENT, a summary), and a quiet logger.
import pino, { type Logger } from 'pino';
import { AgentAiClient, buildHookBody, DEFAULT_WIRE_OPTIONS, type BotCredentials } from '../../src/agentai/index.js';
import type { Intent } from '../../src/core/intents.js';

export const BOT: BotCredentials = { botId: 'st-summary-bot', clientId: 'cs-summary-client', clientSecret: 'summary-secret-0123456789' };

export const quietLogger = (): Logger => pino({ level: 'silent' });

const agent = { identity: 'user-A', name: 'Ann' };
const common = { experience: 'chat', language: 'en' } as const;

/** NA entry, a customer and an agent message, NA exit and (optionally) TRIGGER_SUMMARY_EVENT, as the bridge sends them. */
export async function playConversation(baseUrl: string, conversationId: string, opts: { trigger: boolean; userText?: string }): Promise<void> {
  const client = new AgentAiClient({
    baseUrl,
    hooksPath: '/agentassist/api/v1/hooks',
    tokenHeader: 'token',
    jwt: { ttlSeconds: 300, jti: false },
    timeouts: { connectMs: 1000, headersMs: 2000, bodyMs: 2000 },
    connections: 1,
  });
  const intents: Intent[] = [
    { kind: 'transfer', transferType: 'NA', transition: 'entry', agent, ...common },
    { kind: 'message', author: 'USER', text: opts.userText ?? 'My parcel never arrived', messageId: 'm1', agentId: agent.identity, ...common },
    { kind: 'message', author: 'AGENT', text: 'I will send a replacement today', messageId: 'm2', agentId: agent.identity, ...common },
    { kind: 'transfer', transferType: 'NA', transition: 'exit', agent, ...common },
    ...(opts.trigger ? [{ kind: 'summary', ...common } as const] : []),
  ];
  try {
    for (const intent of intents) {
      const outcome = await client.postHookJson(BOT, JSON.stringify(buildHookBody(intent, { conversationId, botId: BOT.botId, source: 'genesys' }, DEFAULT_WIRE_OPTIONS)));
      if (outcome.kind !== 'ok') throw new Error(`hook ${intent.kind} failed: ${JSON.stringify(outcome)}`);
    }
  } finally {
    await client.close();
  }
}

export async function waitUntil(predicate: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
