// Transcription events as `v2.conversations.{id}.transcription` carries them (SDK
// `TranscriptionTopicTranscriptionMessage`), shaped as the notifications-spike captures show them. Times are
// in seconds of the conversation's clock; `sessionStart` is the transcription session's start (epoch ms).
import type { ConversationClock } from './wire.js';

/** A `v2.conversations.{id}.transcription` body (SDK `TranscriptionTopicTranscriptionMessage`). */
export function transcriptionBody(
  c: ConversationClock,
  communicationId: string,
  sessionStart: number,
  atSeconds: number,
  transcripts: unknown[],
  status = 'SESSION_ONGOING',
): Record<string, unknown> {
  return {
    eventTime: c.iso(atSeconds),
    organizationId: '0a9e0000-0000-4000-8000-000000000001',
    conversationId: c.id,
    communicationId,
    sessionStartTimeMs: sessionStart,
    transcriptionStartTimeMs: sessionStart + 12,
    transcripts,
    status: { offsetMs: c.ms(atSeconds) - sessionStart, status },
  };
}

/** One transcript of a transcription body, shaped as the notifications-spike captures show them. */
export function utterance(
  utteranceId: string,
  channel: 'EXTERNAL' | 'INTERNAL',
  isFinal: boolean,
  offsetSeconds: number,
  transcript: string,
  decorated?: string,
  durationMs = 2400,
): Record<string, unknown> {
  return {
    utteranceId,
    isFinal,
    channel,
    alternatives: [
      {
        confidence: 0.93,
        offsetMs: Math.round(offsetSeconds * 1000),
        durationMs,
        transcript,
        ...(decorated !== undefined ? { decoratedTranscript: decorated } : {}),
        words: transcript.split(' ').map((word, i) => ({
          confidence: 0.95,
          offsetMs: Math.round(offsetSeconds * 1000) + i * 300,
          durationMs: 280,
          word,
        })),
      },
    ],
    engineProvider: 'GENESYS',
    engineId: 'r2d2',
    engineName: 'Genesys',
    dialect: 'en-US',
    agentAssistEnabled: false,
    voiceTranscriptionEnabled: true,
  };
}
