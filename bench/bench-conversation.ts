// A standard voice conversation as facts (entry, eight messages, exit, end), for benchmarks that feed the
// pipeline directly.
import type { Fact } from '../src/core/facts.js';

export function benchConversation(id: string, t0: number): Fact[] {
  const base = { conversationId: id, source: 'bench', experience: 'voice' as const };
  const agent = (who: string): { identity: string; name: string; queueId: string } => ({ identity: who, name: `Agent ${who}`, queueId: 'q1' });
  const facts: Fact[] = [{ ...base, type: 'agent.joined', dedupeKey: `${id}:a:j`, at: t0, leg: 'a', via: 'routing', agent: agent('A') }];
  for (let i = 0; i < 8; i++) {
    facts.push({ ...base, type: 'message', dedupeKey: `${id}:m${i}`, at: t0 + 1000 + i * 1000, author: i % 2 ? 'AGENT' : 'USER', text: `utterance ${i}`, messageId: `${id}-m${i}` });
  }
  facts.push(
    { ...base, type: 'agent.left', dedupeKey: `${id}:a:l`, at: t0 + 20_000, leg: 'a', reason: 'hangup', agent: agent('A') },
    { ...base, type: 'customer.left', dedupeKey: `${id}:c:l`, at: t0 + 20_000, reason: 'hangup' },
    { ...base, type: 'conversation.ended', dedupeKey: `${id}:end`, at: t0 + 20_001 },
  );
  return facts;
}
