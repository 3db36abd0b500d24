// A conversation of the simulated org, built on the shared conversation model (model/voice.ts for voice,
// model/messaging.ts for digital messaging, the same model the test fixtures are generated from): this
// adds what the demo needs on top of it, generated participant ids, the first state derived from purpose
// and direction, message texts held by the org, transcription events timed by when they were said, and each published snapshot
// recorded as a script step with a human note for the demo's timeline.
import { MessagingConversation, type MessagingParticipant } from './model/messaging.js';
import { transcriptionTopic } from './model/topics.js';
import { transcriptionBody, utterance } from './model/transcription.js';
import { VoiceConversation, type Participant, type Purpose } from './model/voice.js';
import type { SimMessage, SimStep } from './script.js';

export type Media = 'voice' | 'chat';

/** How long each simulated utterance lasts. */
const UTTERANCE_SECONDS = 1.5;

/** A participant of the model: a voice one carries a `call`, a messaging one a `leg`. */
export type SimParticipant = Participant | MessagingParticipant;

export interface SimPartySpec {
  name?: string;
  userId?: string;
  queueId?: string;
  address?: string;
  consultOf?: SimParticipant;
  /** A supervisor listening in names the agent's participant; barging in, `bargedParticipantId` replaces it. */
  monitorOf?: SimParticipant;
  direction?: 'inbound' | 'outbound';
}

export class SimConversation {
  readonly steps: SimStep[] = [];
  private readonly model: VoiceConversation | MessagingConversation;
  private readonly pendingMessages: SimMessage[] = [];
  private count = 0;

  constructor(
    readonly id: string,
    readonly startMs: number,
    readonly media: Media,
    /** Topics every snapshot is published on (queue topic, agents' user topics). */
    readonly topics: () => readonly string[],
  ) {
    this.model = media === 'voice' ? new VoiceConversation(id, startMs) : new MessagingConversation(id, startMs);
  }

  get participants(): readonly SimParticipant[] {
    return this.model.participants;
  }

  iso(seconds: number): string {
    return this.model.iso(seconds);
  }

  add(purpose: Purpose, at: number, spec: SimPartySpec = {}): SimParticipant {
    this.count += 1;
    const id = `${this.id.slice(0, 8)}-p${this.count}-${purpose}`;
    const outbound = spec.direction === 'outbound';
    const initial = outbound && purpose !== 'acd' ? 'dialing' : purpose === 'agent' || purpose === 'user' ? 'alerting' : purpose === 'customer' ? 'offering' : 'connected';
    const party = {
      id,
      ...(spec.name ? { name: spec.name } : {}),
      ...(spec.userId ? { userId: spec.userId } : {}),
      ...(spec.queueId ? { queueId: spec.queueId } : {}),
      ...(spec.address ? { address: spec.address } : {}),
    };
    if (this.model instanceof MessagingConversation) return this.model.add(purpose, party, at, initial);
    const p = this.model.add(
      purpose,
      {
        ...party,
        callId: `${id}-call`,
        ...(spec.direction ? { direction: spec.direction } : {}),
        ...(spec.consultOf ? { consultParticipantId: spec.consultOf.id } : {}),
        ...(spec.address ? { self: { addressNormalized: spec.address } } : {}),
      },
      at,
      initial,
    );
    if (spec.monitorOf) p.monitoredParticipantId = spec.monitorOf.id;
    return p;
  }

  connect(p: SimParticipant, at: number): void {
    if ('call' in p) this.voice().connect(p, at);
    else this.chat().connect(p, at);
  }

  disconnect(p: SimParticipant, at: number, disconnectType: string): void {
    if ('call' in p) this.voice().disconnect(p, at, disconnectType);
    else this.chat().disconnect(p, at, disconnectType);
  }

  /** Wrap-up done at `at`: the disconnected leg becomes terminated. */
  terminate(p: SimParticipant, at: number): void {
    if ('call' in p) this.voice().terminate(p, at);
    else this.chat().terminate(p);
  }

  /**
   * The usual close: the agent ends it at `at`, the customer's leg goes 0.2 s later, and the agent's wrap-up
   * ends 5 s after that; a snapshot is published after each of the two.
   */
  hangUp(agent: SimParticipant, cust: SimParticipant, at: number): void {
    this.disconnect(agent, at, 'client');
    this.disconnect(cust, at + 0.2, 'peer');
    this.emit(at + 0.2, `agent ${agent.name ?? '?'} ends the ${this.media === 'voice' ? 'call' : 'chat'}; customer leaves`);
    this.terminate(agent, at + 5);
    this.emit(at + 5, `agent ${agent.name ?? '?'} finishes wrap-up`);
  }

  /** A listening supervisor barges in on the agent they monitor: now heard by everyone. */
  barge(supervisor: SimParticipant, at: number): void {
    if (!('call' in supervisor)) throw new Error('barge: only on voice');
    const on = this.voice().participants.find((p) => p.id === supervisor.monitoredParticipantId);
    if (!on) throw new Error('barge: the supervisor monitors nobody');
    this.voice().barge(supervisor, on, at);
  }

  hold(p: SimParticipant, at: number): void {
    if (!('call' in p)) throw new Error('hold: only on voice');
    this.voice().hold(p, at);
  }

  unhold(p: SimParticipant): void {
    if (!('call' in p)) throw new Error('unhold: only on voice');
    this.voice().unhold(p);
  }

  /** A digital message sent by `from`; its text is held by the org, the snapshot lists only its id. */
  say(from: SimParticipant, at: number, text: string): void {
    if ('call' in from) throw new Error('say: only on digital messaging');
    const messageId = this.chat().send(from, at);
    this.pendingMessages.push({ id: messageId, direction: from.purpose === 'customer' ? 'inbound' : 'outbound', text, timestamp: this.iso(at) });
  }

  /** Publishes the current snapshot on every topic at `at` seconds. */
  emit(at: number, note?: string): void {
    const body = this.nested();
    const messages = this.pendingMessages.splice(0);
    this.topics().forEach((topic, i) =>
      this.steps.push({ offsetMs: Math.round(at * 1000), topic, body, ...(note && i === 0 ? { note } : {}), ...(messages.length && i === 0 ? { messages } : {}) }),
    );
  }

  /**
   * A final utterance `speaker` finished saying at `at` seconds, on v2.conversations.{id}.transcription (voice).
   * `seconds`: how long the utterance lasted; it ends at `at`, so it began `seconds` earlier.
   */
  transcript(at: number, speaker: SimParticipant, utteranceId: string, text: string, sessionStart: number, seconds = UTTERANCE_SECONDS): void {
    if (!('call' in speaker)) throw new Error('transcript: only on voice');
    const voice = this.voice();
    const channel = speaker.purpose === 'customer' ? 'EXTERNAL' : 'INTERNAL';
    const agentLeg = [...voice.participants].reverse().find((p) => (p.purpose === 'agent' || p.purpose === 'user') && p.call.state === 'connected');
    const spoken = utterance(utteranceId, channel, true, at - sessionStart - seconds, text.toLowerCase(), text, Math.round(seconds * 1000));
    this.steps.push({
      offsetMs: Math.round(at * 1000),
      topic: transcriptionTopic(this.id),
      note: `${channel === 'EXTERNAL' ? 'customer' : (speaker.name ?? 'agent')} says "${text}"`,
      body: transcriptionBody(voice, agentLeg?.call.id ?? speaker.call.id, voice.ms(sessionStart), at, [spoken]),
    });
  }

  /** The snapshot as the queue and user topics (and REST) carry it. */
  nested(): Record<string, unknown> {
    return this.model.nested();
  }

  private voice(): VoiceConversation {
    if (!(this.model instanceof VoiceConversation)) throw new Error(`${this.id} is a chat, not a call`);
    return this.model;
  }

  private chat(): MessagingConversation {
    if (!(this.model instanceof MessagingConversation)) throw new Error(`${this.id} is a call, not a chat`);
    return this.model;
  }
}
