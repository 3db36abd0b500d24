// The issue-13 rules on small hand-written payloads: REST bodies (reconciliation), the edges between two
// snapshots, and the timing of INTERNAL speech.
import { describe, expect, it } from 'vitest';
import { GenesysFrameProcessor, type IgnoredInput } from '../frame-processor.js';
import { FIXED_NOW, ofType, summarise } from './helpers.js';

const QUEUE_TOPIC = 'v2.routing.queues.q-support.conversations';
const CALLS_TOPIC = 'v2.routing.queues.q-support.conversations.calls';
const BASE = Date.parse('2026-05-04T12:00:00.000Z');
const t = (seconds: number): string => new Date(BASE + seconds * 1000).toISOString();

type Json = Record<string, unknown>;
const frame = (eventBody: Json, topicName = QUEUE_TOPIC): string => JSON.stringify({ topicName, version: '2', eventBody });

const customer = (call: Json = {}): Json => ({
  id: 'p-cust',
  purpose: 'customer',
  address: 'tel:+15551234567',
  calls: [{ id: 'call-cust', state: 'connected', direction: 'inbound', held: false, confined: false, connectedTime: t(0), ...call }],
});
const user = (id: string, userId: string, call: Json, extra: Json = {}): Json => ({
  id,
  purpose: 'user',
  userId,
  calls: [{ id: `${id}-call`, direction: 'inbound', ...call }],
  ...extra,
});
const alice = (call: Json = { state: 'connected', connectedTime: t(5) }): Json => ({ ...user('p-a', 'u-alice', call), purpose: 'agent' });

function processor(options: { internalSpeechWithoutAgent?: 'drop' | 'keep' } = {}) {
  const ignored: IgnoredInput[] = [];
  return { ignored, p: new GenesysFrameProcessor({ now: () => FIXED_NOW, onIgnored: (r) => ignored.push(r), ...options }) };
}

describe('supervisors in REST bodies (reconciliation after a gap)', () => {
  it('a monitor in the body is no agent; the body that shows the barge-in makes them join, and leave', () => {
    const { p, ignored } = processor();
    const dave = (call: Json, extra: Json): Json => user('p-d', 'u-dave', call, extra);
    const first = p.processConversation({ id: 'c1', startTime: t(0), participants: [customer(), alice(), dave({ state: 'connected', connectedTime: t(20) }, { monitoredParticipantId: 'p-a' })] });
    expect(first.facts.map(summarise)).toEqual(['joined u-alice(routing)']);
    expect(ignored).toEqual(['supervisor-monitor']);
    // After the next gap the supervisor has barged in and already hung up: both facts, in order.
    const second = p.processConversation({
      id: 'c1',
      participants: [
        customer(),
        alice(),
        dave({ state: 'disconnected', connectedTime: t(20), bargedTime: t(40), disconnectedTime: t(60), disconnectType: 'client' }, { bargedParticipantId: 'p-a' }),
      ],
    });
    expect(second.facts.map(summarise)).toEqual(['joined u-dave(conference)', 'left u-dave(hangup)']);
    expect(second.facts.map((f) => f.at)).toEqual([BASE + 40_000, BASE + 60_000]);
  });

  it('a coach who only ever coaches leaves no trace, in the flattened shape too', () => {
    const { p, ignored } = processor();
    const flat = (state: string, extra: Json = {}): string =>
      frame(
        {
          id: 'c2',
          participants: [
            { id: 'p-cust', purpose: 'customer', state: 'connected', connectedTime: t(0) },
            { id: 'p-a', purpose: 'agent', user: { id: 'u-alice' }, state: 'connected', connectedTime: t(5) },
            { id: 'p-c', purpose: 'user', user: { id: 'u-carol' }, state, coachedParticipantId: 'p-a', connectedTime: t(30), ...extra },
          ],
        },
        CALLS_TOPIC,
      );
    expect(p.process(flat('connected')).facts.map(summarise)).toEqual(['joined u-alice(routing)']);
    expect(p.process(flat('disconnected', { endTime: t(50), disconnectType: 'client' })).facts).toEqual([]);
    expect(ignored).toEqual(['supervisor-coach']);
  });
});

describe('consults', () => {
  it('a customer on hold with music (confined only) makes the next agent a consult, nested and flattened', () => {
    const nested = processor().p;
    nested.process(frame({ id: 'c3', participants: [customer(), alice()] }));
    const joined = nested.process(frame({ id: 'c3', participants: [customer({ confined: true }), alice(), { ...alice({ state: 'connected', connectedTime: t(40) }), id: 'p-b', userId: 'u-bob' }] }));
    expect(joined.facts.map(summarise)).toEqual(['joined u-bob(consult)']);

    const flattened = processor().p;
    const cust = (confined: boolean): Json => ({ id: 'p-cust', purpose: 'customer', state: 'connected', connectedTime: t(0), held: false, confined });
    const agentP = (id: string, userId: string, at: number): Json => ({ id, purpose: 'agent', user: { id: userId }, state: 'connected', connectedTime: t(at) });
    flattened.process(frame({ id: 'c4', participants: [cust(false), agentP('p-a', 'u-alice', 5)] }, CALLS_TOPIC));
    const flatJoined = flattened.process(frame({ id: 'c4', participants: [cust(true), agentP('p-a', 'u-alice', 5), agentP('p-b', 'u-bob', 40)] }, CALLS_TOPIC));
    expect(flatJoined.facts.map(summarise)).toEqual(['joined u-bob(consult)']);
  });
});

describe('a call between users', () => {
  it('joins its agents once an external party is added, at their own connection times', () => {
    const { p, ignored } = processor();
    const bob = user('p-b', 'u-bob', { state: 'connected', connectedTime: t(4) });
    const caller = user('p-a', 'u-alice', { state: 'connected', connectedTime: t(1), direction: 'outbound' });
    expect(p.process(frame({ id: 'c5', participants: [caller, bob] })).facts).toEqual([]);
    expect(ignored).toEqual(['no-customer', 'no-customer']);
    const external = { id: 'p-x', purpose: 'external', address: 'tel:+15559876543', calls: [{ id: 'call-x', state: 'connected', direction: 'outbound', connectedTime: t(30) }] };
    const facts = p.process(frame({ id: 'c5', participants: [caller, bob, external] })).facts;
    expect(facts.map(summarise)).toEqual(['joined u-alice(outbound)', 'joined u-bob(conference)']);
    expect(facts.map((f) => f.at)).toEqual([BASE + 1000, BASE + 4000]);
  });
});

describe('INTERNAL speech is judged by when it was said', () => {
  const transcription = (at: number, utteranceId: string, channel: string, offsetSeconds: number): string =>
    JSON.stringify({
      topicName: 'v2.conversations.c6.transcription',
      eventBody: {
        eventTime: t(at),
        conversationId: 'c6',
        communicationId: 'p-a-call',
        sessionStartTimeMs: BASE,
        transcripts: [{ utteranceId, isFinal: true, channel, alternatives: [{ offsetMs: offsetSeconds * 1000, durationMs: 1500, transcript: `said at ${offsetSeconds}` }] }],
      },
    });

  it("the agent's last words, delivered after the agent's leg ended, are still the agent's", () => {
    const { p, ignored } = processor();
    p.process(frame({ id: 'c6', participants: [customer(), alice()] }));
    p.process(frame({ id: 'c6', participants: [customer(), alice({ state: 'disconnected', connectedTime: t(5), disconnectedTime: t(60), disconnectType: 'client' })] }));
    const late = p.process(transcription(80, 'u-1', 'INTERNAL', 58)).facts;
    expect(ofType(late, 'message')).toMatchObject([{ author: 'AGENT', agentIdentity: 'u-alice', messageId: 'u-1' }]);
    // Spoken after she left (a survey prompt): not hers.
    expect(p.process(transcription(95, 'u-2', 'INTERNAL', 70)).facts).toEqual([]);
    expect(ignored).toEqual(['internal-speech-without-agent']);
  });

  it('the customer before any agent keeps the early-message rule; IVR speech before any agent is dropped', () => {
    const { p, ignored } = processor();
    p.process(frame({ id: 'c6', participants: [customer(), { id: 'p-ivr', purpose: 'ivr', calls: [{ id: 'call-ivr', state: 'connected', connectedTime: t(0) }] }] }));
    expect(p.process(transcription(4, 'u-3', 'INTERNAL', 1)).facts).toEqual([]);
    expect(ofType(p.process(transcription(6, 'u-4', 'EXTERNAL', 3)).facts, 'message')).toMatchObject([{ author: 'USER', messageId: 'u-4' }]);
    expect(ignored).toEqual(['internal-speech-without-agent']);
    const kept = processor({ internalSpeechWithoutAgent: 'keep' }).p;
    expect(ofType(kept.process(transcription(4, 'u-3', 'INTERNAL', 1)).facts, 'message')).toMatchObject([{ author: 'AGENT', messageId: 'u-3' }]);
  });
});

describe('after-call work in the flattened shape', () => {
  it('startAcwTime and a wrap-up code on a participant still connected are no exit', () => {
    const { p } = processor();
    const flat = (agent: Json): string =>
      frame({ id: 'c7', participants: [{ id: 'p-cust', purpose: 'customer', state: 'connected', connectedTime: t(0) }, { id: 'p-a', purpose: 'agent', user: { id: 'u-alice' }, connectedTime: t(5), ...agent }] }, CALLS_TOPIC);
    p.process(flat({ state: 'connected' }));
    const acw = { startAcwTime: t(100), wrapupRequired: true, wrapup: { code: 'wc-1', notes: 'early', tags: ['billing'] } };
    expect(p.process(flat({ state: 'connected', ...acw })).facts).toEqual([]);
    const left = p.process(flat({ state: 'disconnected', endTime: t(130), disconnectType: 'client', ...acw })).facts;
    expect(left.map(summarise)).toEqual(['left u-alice(hangup)']);
    expect(left[0]?.at).toBe(BASE + 130_000);
  });
});
