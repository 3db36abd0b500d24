// Notification topic names as Genesys spells them (notification-facts.md §2.1, §2.6).

export const queueTopic = (queueId: string): string => `v2.routing.queues.${queueId}.conversations`;
export const queueCallsTopic = (queueId: string): string => `v2.routing.queues.${queueId}.conversations.calls`;
export const userTopic = (userId: string): string => `v2.users.${userId}.conversations`;
export const transcriptionTopic = (conversationId: string): string => `v2.conversations.${conversationId}.transcription`;
