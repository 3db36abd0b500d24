// Live voice transcripts on `v2.conversations.{id}.transcription` (facts §2.6). Only final utterances
// become messages; interim results are superseded by the final one with the same utteranceId, and
// keep-alive frames (session start, every 5 min, session end) carry no transcripts at all. INTERNAL speech
// is an agent's only while an agent is connected; EXTERNAL (the customer) always counts.
import { z } from 'zod';
import type { MessageAuthor, MessageFact } from '../../src/core/facts.js';
import { withDefined } from './compact.js';
import { agentConnectedAt, userOfCommunication, type ConversationMemory } from './conversation-memory.js';
import { dedupeKeys, SOURCE } from './dedupe-keys.js';
import type { IgnoredInput } from './ignored.js';
import { lenientArray, maxDefined, optBool, optNumber, optString, optTime, toEpochMs } from './lenient.js';

const AlternativeSchema = z.object({
  offsetMs: optNumber,
  durationMs: optNumber,
  transcript: optString,
  decoratedTranscript: optString,
});

const TranscriptSchema = z.object({
  utteranceId: optString,
  isFinal: optBool,
  channel: optString,
  alternatives: lenientArray(AlternativeSchema),
  dialect: optString,
});

export const TranscriptionBodySchema = z.object({
  eventTime: optTime,
  conversationId: optString,
  communicationId: optString,
  sessionStartTimeMs: optNumber,
  transcripts: lenientArray(TranscriptSchema),
  status: z.object({ status: optString, offsetMs: optNumber }).optional().catch(undefined),
});

export type TranscriptionBody = z.output<typeof TranscriptionBodySchema>;

const AUTHORS: ReadonlyMap<string, MessageAuthor> = new Map<string, MessageAuthor>([
  ['EXTERNAL', 'USER'],
  ['INTERNAL', 'AGENT'],
]);

/** What to do with INTERNAL-channel speech while no agent is connected. */
export type InternalSpeechRule = 'drop' | 'keep';

export interface TranscriptionContext {
  readonly conversationId: string;
  readonly body: TranscriptionBody;
  readonly memory: ConversationMemory;
  readonly now: number;
  readonly warn: (message: string) => void;
  readonly internalSpeechWithoutAgent: InternalSpeechRule;
  readonly onIgnored: (reason: IgnoredInput) => void;
}

export function transcriptionFacts(context: TranscriptionContext): MessageFact[] {
  const { conversationId, body, memory, now } = context;
  const eventTime = toEpochMs(body.eventTime);
  const facts: MessageFact[] = [];
  for (const transcript of body.transcripts) {
    if (transcript.isFinal !== true) continue;
    const alternative = transcript.alternatives[0];
    const spoken = alternative?.transcript?.trim();
    if (!alternative || !spoken) continue;
    const utteranceId = transcript.utteranceId;
    if (!utteranceId) {
      context.warn(`genesys: conversation ${conversationId}: final transcript without utteranceId skipped`);
      continue;
    }
    if (memory.utterances?.has(utteranceId)) continue;
    const channel = transcript.channel?.trim().toUpperCase() ?? '';
    const author = AUTHORS.get(channel);
    if (!author) {
      context.warn(`genesys: conversation ${conversationId}: utterance ${utteranceId} on channel "${channel}" skipped`);
      continue;
    }
    (memory.utterances ??= new Set()).add(utteranceId);
    const startedAt =
      body.sessionStartTimeMs !== undefined && alternative.offsetMs !== undefined
        ? body.sessionStartTimeMs + alternative.offsetMs
        : undefined;
    // INTERNAL is the Genesys side of the call: with no agent on it at the time spoken, that is the IVR, a bot
    // or queue prompts. Judged by when it was said, since finals arrive seconds (up to ~35 s) later.
    const spokenAt = startedAt ?? eventTime ?? now;
    if (author === 'AGENT' && context.internalSpeechWithoutAgent === 'drop' && !agentConnectedAt(memory, spokenAt)) {
      context.onIgnored('internal-speech-without-agent');
      continue;
    }
    const speaker = author === 'AGENT' && body.communicationId ? userOfCommunication(memory, body.communicationId) : undefined;
    facts.push(
      withDefined({
        type: 'message' as const,
        conversationId,
        dedupeKey: dedupeKeys.utterance(conversationId, utteranceId),
        at: eventTime ?? startedAt ?? now,
        source: SOURCE,
        queueId: memory.queueId,
        experience: 'voice' as const,
        language: transcript.dialect?.trim() || undefined,
        author,
        text: alternative.decoratedTranscript?.trim() || spoken,
        messageId: utteranceId,
        agentIdentity: speaker,
      }),
    );
  }
  return facts;
}

/** Latest time the frame speaks of: when it was emitted, or the end of its last utterance. */
export function transcriptionTime(body: TranscriptionBody): number | undefined {
  const session = body.sessionStartTimeMs;
  const offsets =
    session === undefined
      ? []
      : body.transcripts.flatMap((t) =>
          t.alternatives.map((a) => (a.offsetMs === undefined ? undefined : session + a.offsetMs + (a.durationMs ?? 0))),
        );
  const statusTime = session !== undefined && body.status?.offsetMs !== undefined ? session + body.status.offsetMs : undefined;
  return maxDefined([toEpochMs(body.eventTime), statusTime, ...offsets]);
}
