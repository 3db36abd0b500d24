// Which payload shape a topic name promises (facts §2.1). The queue and user conversation topics carry the
// nested shape; their per-media sub-topics carry the flattened one; transcription is per conversation.
export type MediaKind = 'calls' | 'callbacks' | 'chats' | 'messages' | 'emails';

export type TopicRoute =
  | { readonly kind: 'metadata' }
  | { readonly kind: 'socket_closing' }
  | { readonly kind: 'conversation'; readonly shape: 'nested' }
  | { readonly kind: 'conversation'; readonly shape: 'flattened'; readonly media: MediaKind }
  | { readonly kind: 'transcription'; readonly conversationId: string }
  | { readonly kind: 'other' };

const NESTED = /^v2\.(?:routing\.queues|users)\.[^.]+\.conversations$/;
const FLATTENED = /^v2\.(?:routing\.queues|users)\.[^.]+\.conversations\.([A-Za-z]+)$/;
const TRANSCRIPTION = /^v2\.conversations\.([^.]+)\.transcription$/;

const MEDIA: ReadonlyMap<string, MediaKind> = new Map<string, MediaKind>([
  ['calls', 'calls'],
  ['callbacks', 'callbacks'],
  ['chats', 'chats'],
  ['messages', 'messages'],
  ['emails', 'emails'],
]);

export function routeTopic(topicName: string): TopicRoute {
  if (topicName === 'channel.metadata') return { kind: 'metadata' };
  if (topicName === 'v2.system.socket_closing') return { kind: 'socket_closing' };
  if (NESTED.test(topicName)) return { kind: 'conversation', shape: 'nested' };
  const flattened = FLATTENED.exec(topicName);
  if (flattened) {
    // Sub-topics we do not model (videos, screenshares, cobrowse...) carry no agent or customer legs we act on.
    const media = MEDIA.get(flattened[1]?.toLowerCase() ?? '');
    return media ? { kind: 'conversation', shape: 'flattened', media } : { kind: 'other' };
  }
  const transcription = TRANSCRIPTION.exec(topicName);
  if (transcription?.[1]) return { kind: 'transcription', conversationId: transcription[1] };
  return { kind: 'other' };
}
