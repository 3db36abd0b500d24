// Packing topics into channels: at most `perChannel - headroom` each at start (the headroom takes the
// per-conversation transcription topics later), and at most `maxChannels - 1` channels (one channel is kept
// free so a roll-over can open its replacement before closing the old one).
import { BridgeError } from '../../../src/errors.js';

export interface TopicPlanOptions {
  readonly perChannel: number;
  readonly headroom: number;
  readonly maxChannels: number;
}

export function baseTopics(queueIds: readonly string[], userIds: readonly string[], suffixes: readonly string[]): string[] {
  const topics = new Set<string>();
  for (const q of queueIds) for (const s of suffixes) topics.add(`v2.routing.queues.${q}.${s}`);
  for (const u of userIds) for (const s of suffixes) topics.add(`v2.users.${u}.${s}`);
  return [...topics];
}

export function planChannels(topics: readonly string[], o: TopicPlanOptions): string[][] {
  const size = o.perChannel - o.headroom;
  const groups: string[][] = [];
  for (let i = 0; i < topics.length; i += size) groups.push(topics.slice(i, i + size));
  if (groups.length === 0) groups.push([]);
  if (groups.length > o.maxChannels - 1) {
    throw new BridgeError('CONFIG_INVALID', 
      `genesys: ${topics.length} topics need ${groups.length} channels of ${size}; at most ${o.maxChannels - 1} are allowed (GENESYS_MAX_CHANNELS - 1). Follow fewer queues/users or lower GENESYS_TOPIC_HEADROOM.`,
    );
  }
  return groups;
}

export const transcriptionTopic = (conversationId: string): string => `v2.conversations.${conversationId}.transcription`;
