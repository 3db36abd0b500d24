// A mutable conversation of the simulated org that renders itself as Genesys does on the wire (nested
// shape, facts §2.2): participants with one media leg each, a `calls` leg for voice, a `messages` leg (with
// the ids of what that participant sent) for digital messaging. Each change is recorded as a script step
// with a human note for the demo's timeline.
import type { SimMessage, SimStep } from './script.js';

export type Media = 'voice' | 'chat';
type Purpose = 'customer' | 'external' | 'ivr' | 'acd' | 'agent' | 'user' | 'workflow';

interface Leg {
  id: string;
  state: string;
  initialState: string;
  direction: 'inbound' | 'outbound';
  held: boolean;
  connectedTime?: string;
  disconnectedTime?: string;
  disconnectType?: string;
  /** When a supervisor barged in (SDK `calls[].bargedTime`). */
  bargedTime?: string;
  self?: { addressNormalized: string };
  messages?: { messageId: string; messageTime: string; messageStatus: string }[];
}

export interface SimParticipant {
  readonly id: string;
  readonly purpose: Purpose;
  readonly name?: string;
  readonly userId?: string;
  readonly queueId?: string;
  readonly address?: string;
  consultParticipantId?: string;
  /** A supervisor listening in names the agent's participant; barging in, `bargedParticipantId` replaces it. */
  monitoredParticipantId?: string;
  bargedParticipantId?: string;
  readonly startTime: string;
  connectedTime?: string;
  endTime?: string;
  readonly leg: Leg;
}

export class SimConversation {
  readonly participants: SimParticipant[] = [];
  readonly steps: SimStep[] = [];
  private readonly pendingMessages: SimMessage[] = [];
  private count = 0;

  constructor(
    readonly id: string,
    readonly startMs: number,
    readonly media: Media,
    /** Topics every snapshot is published on (queue topic, agents' user topics). */
    readonly topics: () => readonly string[],
  ) {}

  iso(seconds: number): string {
    return new Date(this.startMs + Math.round(seconds * 1000)).toISOString();
  }

  add(
    purpose: Purpose,
    at: number,
    spec: { name?: string; userId?: string; queueId?: string; address?: string; consultOf?: SimParticipant; monitorOf?: SimParticipant; direction?: 'inbound' | 'outbound' } = {},
  ): SimParticipant {
    this.count += 1;
    const id = `${this.id.slice(0, 8)}-p${this.count}-${purpose}`;
    const outbound = spec.direction === 'outbound';
    const initial = outbound && purpose !== 'acd' ? 'dialing' : purpose === 'agent' || purpose === 'user' ? 'alerting' : purpose === 'customer' ? 'offering' : 'connected';
    const p: SimParticipant = {
      id,
      purpose,
      startTime: this.iso(at),
      ...(spec.name ? { name: spec.name } : {}),
      ...(spec.userId ? { userId: spec.userId } : {}),
      ...(spec.queueId ? { queueId: spec.queueId } : {}),
      ...(spec.address ? { address: spec.address } : {}),
      ...(spec.consultOf ? { consultParticipantId: spec.consultOf.id } : {}),
      ...(spec.monitorOf ? { monitoredParticipantId: spec.monitorOf.id } : {}),
      leg: {
        id: `${id}-${this.media === 'voice' ? 'call' : 'msg'}`,
        state: initial,
        initialState: initial,
        direction: spec.direction ?? 'inbound',
        held: false,
        ...(spec.address ? { self: { addressNormalized: spec.address } } : {}),
        ...(this.media === 'chat' ? { messages: [] } : {}),
      },
    };
    this.participants.push(p);
    return p;
  }

  connect(p: SimParticipant, at: number): void {
    p.leg.state = 'connected';
    p.leg.connectedTime = this.iso(at);
    p.connectedTime ??= this.iso(at);
  }

  disconnect(p: SimParticipant, at: number, disconnectType: string): void {
    p.leg.state = 'disconnected';
    p.leg.disconnectType = disconnectType;
    p.leg.disconnectedTime = this.iso(at);
    p.leg.held = false;
    p.endTime = this.iso(at);
  }

  terminate(p: SimParticipant): void {
    p.leg.state = 'terminated';
  }

  /** A listening supervisor barges in on the agent they monitor: now heard by everyone. */
  barge(supervisor: SimParticipant, at: number): void {
    supervisor.bargedParticipantId = supervisor.monitoredParticipantId;
    delete supervisor.monitoredParticipantId;
    supervisor.leg.bargedTime = this.iso(at);
  }

  hold(p: SimParticipant, held: boolean): void {
    p.leg.held = held;
  }

  /** A digital message sent by `from`; its text is held by the org, the snapshot lists only its id. */
  say(from: SimParticipant, at: number, text: string): void {
    this.count += 1;
    const messageId = `${this.id.slice(0, 8)}-m${this.count}`;
    from.leg.messages?.push({ messageId, messageTime: this.iso(at), messageStatus: 'delivered' });
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

  /** A transcription event on v2.conversations.{id}.transcription (voice). */
  transcript(at: number, speaker: SimParticipant, utteranceId: string, text: string, sessionStart: number): void {
    const channel = speaker.purpose === 'customer' ? 'EXTERNAL' : 'INTERNAL';
    const agentLeg = [...this.participants].reverse().find((p) => (p.purpose === 'agent' || p.purpose === 'user') && p.leg.state === 'connected');
    this.steps.push({
      offsetMs: Math.round(at * 1000),
      topic: `v2.conversations.${this.id}.transcription`,
      note: `${channel === 'EXTERNAL' ? 'customer' : (speaker.name ?? 'agent')} says "${text}"`,
      body: {
        eventTime: this.iso(at),
        conversationId: this.id,
        communicationId: agentLeg?.leg.id ?? speaker.leg.id,
        sessionStartTimeMs: this.startMs + sessionStart * 1000,
        transcripts: [
          {
            utteranceId,
            isFinal: true,
            channel,
            alternatives: [{ confidence: 0.94, offsetMs: Math.round((at - sessionStart) * 1000) - 1500, durationMs: 1500, transcript: text.toLowerCase(), decoratedTranscript: text }],
            engineProvider: 'GENESYS',
            dialect: 'en-US',
          },
        ],
        status: { offsetMs: Math.round((at - sessionStart) * 1000), status: 'SESSION_ONGOING' },
      },
    });
  }

  nested(): Record<string, unknown> {
    const mediaKey = this.media === 'voice' ? 'calls' : 'messages';
    const body = {
      id: this.id,
      maxParticipants: Math.max(2, this.participants.length),
      participants: this.participants.map(({ leg, ...p }) => ({
        ...p,
        attributes: {},
        calls: [],
        callbacks: [],
        chats: [],
        emails: [],
        messages: [],
        [mediaKey]: [leg],
      })),
      recentTransfers: [],
      recordingState: 'active',
    };
    return JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
  }
}
