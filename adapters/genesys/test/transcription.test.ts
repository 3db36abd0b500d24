import { describe, expect, it } from 'vitest';
import { FIXED_NOW, newProcessor, ofType } from './helpers.js';

const CONV = 'c-tr';
const SESSION = Date.parse('2026-05-04T12:00:00.000Z');

type Json = Record<string, unknown>;

function words(body: Json, conversationId = CONV): string {
  return JSON.stringify({ topicName: `v2.conversations.${conversationId}.transcription`, version: '2', eventBody: body });
}

function utterance(utteranceId: string, channel: string, isFinal: boolean, alternative: Json): Json {
  return { utteranceId, isFinal, channel, alternatives: [alternative], dialect: 'en-GB' };
}

const agentOnCall = JSON.stringify({
  topicName: 'v2.routing.queues.q.conversations',
  version: '2',
  eventBody: {
    id: CONV,
    participants: [
      { id: 'p-cust', purpose: 'customer', queueId: 'q', calls: [{ id: 'call-cust', state: 'connected', connectedTime: '2026-05-04T11:59:50.000Z' }] },
      { id: 'p-a', purpose: 'agent', userId: 'u-a', calls: [{ id: 'call-a', state: 'connected', connectedTime: '2026-05-04T11:59:55.000Z' }] },
    ],
  },
});

describe('GenesysFrameProcessor: transcription', () => {
  it('ignores keep-alives and interim results', () => {
    const processor = newProcessor();
    const keepAlive = processor.process(words({ eventTime: '2026-05-04T12:00:00.100Z', sessionStartTimeMs: SESSION, transcripts: [], status: { status: 'SESSION_ONGOING', offsetMs: 0 } }));
    expect(keepAlive.facts).toEqual([]);
    expect(keepAlive.conversationId).toBe(CONV);
    expect(keepAlive.frameTime).toBe(Date.parse('2026-05-04T12:00:00.100Z'));
    const interim = processor.process(words({ transcripts: [utterance('u1', 'EXTERNAL', false, { transcript: 'hello the' })] }));
    expect(interim.facts).toEqual([]);
    // The final version of the same utterance still counts.
    const final = processor.process(words({ transcripts: [utterance('u1', 'EXTERNAL', true, { transcript: 'hello there' })] }));
    expect(final.facts.map((f) => f.dedupeKey)).toEqual([`genesys:${CONV}:utterance:u1`]);
  });

  it('maps EXTERNAL to the customer and INTERNAL to the agent on that leg', () => {
    const processor = newProcessor();
    processor.process(agentOnCall);
    const result = processor.process(
      words({
        eventTime: '2026-05-04T12:00:09.000Z',
        communicationId: 'call-a',
        transcripts: [
          utterance('u1', 'EXTERNAL', true, { transcript: 'hi', decoratedTranscript: 'Hi.' }),
          utterance('u2', 'INTERNAL', true, { transcript: 'hello how can i help', decoratedTranscript: '  ' }),
        ],
      }),
    );
    expect(result.facts).toEqual([
      {
        type: 'message', conversationId: CONV, dedupeKey: `genesys:${CONV}:utterance:u1`, at: Date.parse('2026-05-04T12:00:09.000Z'),
        source: 'genesys', queueId: 'q', experience: 'voice', language: 'en-GB', author: 'USER', text: 'Hi.', messageId: 'u1',
      },
      {
        type: 'message', conversationId: CONV, dedupeKey: `genesys:${CONV}:utterance:u2`, at: Date.parse('2026-05-04T12:00:09.000Z'),
        source: 'genesys', queueId: 'q', experience: 'voice', language: 'en-GB', author: 'AGENT', text: 'hello how can i help',
        messageId: 'u2', agentIdentity: 'u-a',
      },
    ]);
  });

  it('leaves agentIdentity out when the leg is not an agent leg we know', () => {
    const processor = newProcessor();
    processor.process(agentOnCall);
    const result = processor.process(words({ communicationId: 'call-cust', transcripts: [utterance('u9', 'INTERNAL', true, { transcript: 'thanks' })] }));
    const [fact] = ofType(result.facts, 'message');
    expect(fact?.author).toBe('AGENT');
    expect(fact?.agentIdentity).toBeUndefined();
  });

  it('dedupes a final utterance delivered twice', () => {
    const processor = newProcessor();
    const frame = words({ transcripts: [utterance('u1', 'EXTERNAL', true, { transcript: 'hello' })] });
    expect(processor.process(frame).facts).toHaveLength(1);
    expect(processor.process(frame).facts).toEqual([]);
  });

  it('times an utterance by eventTime, else session start + offset, else now()', () => {
    const processor = newProcessor();
    const timed = processor.process(
      words({ sessionStartTimeMs: SESSION, transcripts: [utterance('u1', 'EXTERNAL', true, { transcript: 'a', offsetMs: 2500, durationMs: 500 })] }),
    );
    expect(timed.facts[0]?.at).toBe(SESSION + 2500);
    expect(timed.frameTime).toBe(SESSION + 3000);
    const untimed = processor.process(words({ transcripts: [utterance('u2', 'EXTERNAL', true, { transcript: 'b' })] }));
    expect(untimed.facts[0]?.at).toBe(FIXED_NOW);
  });

  it('skips empty finals, finals without an utterance id, and other channels (with warnings for the last two)', () => {
    const result = newProcessor().process(
      words({
        transcripts: [
          utterance('u1', 'EXTERNAL', true, { transcript: '   ' }),
          { isFinal: true, channel: 'EXTERNAL', alternatives: [{ transcript: 'no id' }] },
          utterance('u3', 'BOTH', true, { transcript: 'mixed' }),
          utterance('u4', 'external', true, { transcript: 'lower-case channel' }),
        ],
      }),
    );
    expect(result.facts.map((f) => f.dedupeKey)).toEqual([`genesys:${CONV}:utterance:u4`]);
    expect(result.warnings).toHaveLength(2);
  });

  it('names the conversation from the topic', () => {
    const result = newProcessor().process(
      words({ conversationId: 'something-else', transcripts: [utterance('u1', 'EXTERNAL', true, { transcript: 'hi' })] }, 'c-topic'),
    );
    expect(result.conversationId).toBe('c-topic');
    expect(result.facts[0]?.conversationId).toBe('c-topic');
  });
});
