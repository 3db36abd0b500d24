// Dedupe keys name the platform event, not the delivery: the same leg change seen on the queue topic, the
// user topic, after a reconnect or in a REST reconciliation yields the same key, so the store's
// idempotent ingest absorbs what this process's memory cannot (restarts, evicted conversations).
export const SOURCE = 'genesys';

export const dedupeKeys = {
  joined: (conversationId: string, legId: string): string => `genesys:${conversationId}:${legId}:joined`,
  left: (conversationId: string, legId: string): string => `genesys:${conversationId}:${legId}:left`,
  customerLeft: (conversationId: string, legId: string): string => `genesys:${conversationId}:customer:${legId}:left`,
  ended: (conversationId: string): string => `genesys:${conversationId}:ended`,
  utterance: (conversationId: string, utteranceId: string): string => `genesys:${conversationId}:utterance:${utteranceId}`,
};
