// The Genesys adapter's pure core: one websocket frame (or one REST conversation body) in, facts and
// control events out. No I/O, no timers; the only clock is the injected `now`, used when a payload carries
// no time of its own. The live adapter owns sockets, subscriptions, REST and the store.
import { z } from 'zod';
import type { Fact } from '../../src/core/facts.js';
import { snapshotFacts } from './conversation-facts.js';
import { ConversationMemoryStore, DEFAULT_MAX_CONVERSATIONS, type ConversationMemory } from './conversation-memory.js';
import { FlattenedConversationSchema, NestedConversationSchema } from './conversation-schema.js';
import { newDigitalMessages } from './digital-messages.js';
import { metadataEvent, parseEnvelope, socketClosingEvent, type TopicEnvelope } from './envelope.js';
import { sortFacts } from './fact-order.js';
import { emptyResult, type FrameResult } from './frame-result.js';
import { flattenedSnapshot, nestedSnapshot, type ConversationSnapshot } from './legs.js';
import { routeTopic, type MediaKind } from './topics.js';
import type { IgnoredInput } from './ignored.js';
import { TranscriptionBodySchema, transcriptionFacts, transcriptionTime, type InternalSpeechRule } from './transcription.js';

export { MalformedFrameError } from './envelope.js';
export type { IgnoredInput } from './ignored.js';
export type { ControlEvent, DigitalMessageRef, FrameResult } from './frame-result.js';

export interface GenesysFrameProcessorOptions {
  readonly now: () => number;
  /** Called with each disconnectType we do not know (or `<missing>`), e.g. to count it in a metric. */
  readonly onUnknownDisconnectType?: (value: string) => void;
  /** Called with the reason each time input is recognised and deliberately not turned into facts. */
  readonly onIgnored?: (reason: IgnoredInput) => void;
  /** INTERNAL-channel speech while no agent is connected (IVR, bot, hold prompts): `drop` (default) or `keep`. */
  readonly internalSpeechWithoutAgent?: InternalSpeechRule;
  /** Conversations remembered at once before the least recently touched is dropped. */
  readonly maxConversations?: number;
}

export class GenesysFrameProcessor {
  private readonly memory: ConversationMemoryStore;
  private readonly now: () => number;
  private readonly onUnknownDisconnectType: (value: string) => void;
  private readonly onIgnored: (reason: IgnoredInput) => void;
  private readonly internalSpeech: InternalSpeechRule;

  constructor(options: GenesysFrameProcessorOptions) {
    this.now = options.now;
    this.onUnknownDisconnectType = options.onUnknownDisconnectType ?? (() => undefined);
    this.onIgnored = options.onIgnored ?? (() => undefined);
    this.internalSpeech = options.internalSpeechWithoutAgent ?? 'drop';
    this.memory = new ConversationMemoryStore(options.maxConversations ?? DEFAULT_MAX_CONVERSATIONS);
  }

  /** @throws MalformedFrameError when the text is not JSON or not a Genesys websocket envelope. */
  process(raw: string): FrameResult {
    const envelope = parseEnvelope(raw);
    if (envelope.kind === 'control') return { ...emptyResult(), control: [envelope.event] };
    return this.processTopic(envelope.envelope);
  }

  /** A `GET /api/v2/conversations/{id}` body (nested shape), to reconcile after a gap in the socket. */
  processConversation(conversation: unknown, source = 'rest'): FrameResult {
    const parsed = NestedConversationSchema.safeParse(conversation);
    if (!parsed.success) return this.rejected(source, parsed.error);
    return this.processSnapshot(nestedSnapshot(parsed.data));
  }

  /** Drop a conversation's diff state once the core has closed it. */
  forget(conversationId: string): void {
    this.memory.forget(conversationId);
  }

  private processTopic(envelope: TopicEnvelope): FrameResult {
    const { topicName, eventBody } = envelope;
    const route = routeTopic(topicName);
    switch (route.kind) {
      case 'metadata': {
        const event = metadataEvent(eventBody);
        return event ? { ...emptyResult(), control: [event] } : emptyResult();
      }
      case 'socket_closing':
        return { ...emptyResult(), control: [socketClosingEvent(eventBody)] };
      case 'conversation':
        return route.shape === 'nested'
          ? this.processNested(topicName, eventBody)
          : this.processFlattened(topicName, eventBody, route.media);
      case 'transcription':
        return this.processTranscription(topicName, eventBody, route.conversationId);
      case 'other':
        return emptyResult();
    }
  }

  private processNested(topicName: string, eventBody: unknown): FrameResult {
    const parsed = NestedConversationSchema.safeParse(eventBody);
    if (!parsed.success) return this.rejected(topicName, parsed.error);
    return this.processSnapshot(nestedSnapshot(parsed.data));
  }

  private processFlattened(topicName: string, eventBody: unknown, media: MediaKind): FrameResult {
    const parsed = FlattenedConversationSchema.safeParse(eventBody);
    if (!parsed.success) return this.rejected(topicName, parsed.error);
    return this.processSnapshot(flattenedSnapshot(parsed.data, media));
  }

  private processSnapshot(snapshot: ConversationSnapshot): FrameResult {
    const warnings: string[] = [];
    const memory = this.memory.touch(snapshot.conversationId);
    this.linkConsultations(snapshot, memory);
    const parentId = memory.parentConversationId;
    const facts = snapshotFacts({
      snapshot,
      memory,
      parent: parentId === undefined ? undefined : this.memory.peek(parentId),
      now: this.now(),
      warn: (message) => warnings.push(message),
      onUnknownDisconnectType: this.onUnknownDisconnectType,
      onIgnored: this.onIgnored,
    });
    return {
      facts,
      control: [],
      digitalMessages: newDigitalMessages(snapshot, memory, this.onIgnored),
      conversationId: snapshot.conversationId,
      conversationEnded: memory.ended,
      ...(snapshot.legs.some((l) => l.media === 'calls') ? { voice: true } : {}),
      warnings,
      ...(snapshot.latestTime !== undefined ? { frameTime: snapshot.latestTime } : {}),
    };
  }

  /** Either side of a digital consult may name the other first: the customer's conversation or the consult. */
  private linkConsultations(snapshot: ConversationSnapshot, memory: ConversationMemory): void {
    if (snapshot.parentConversationId !== undefined && snapshot.parentConversationId !== snapshot.conversationId) {
      memory.parentConversationId ??= snapshot.parentConversationId;
    }
    for (const consultId of snapshot.consultationIds) {
      if (consultId === snapshot.conversationId) continue;
      const consult = this.memory.peek(consultId) ?? this.memory.touch(consultId);
      consult.parentConversationId ??= snapshot.conversationId;
    }
  }

  private processTranscription(topicName: string, eventBody: unknown, topicConversationId: string): FrameResult {
    const parsed = TranscriptionBodySchema.safeParse(eventBody);
    if (!parsed.success) return this.rejected(topicName, parsed.error);
    const body = parsed.data;
    // The topic names the conversation; the body repeats it, and the topic is what we subscribed to.
    const conversationId = topicConversationId;
    const warnings: string[] = [];
    const memory = this.memory.touch(conversationId);
    const facts: Fact[] = transcriptionFacts({
      conversationId,
      body,
      memory,
      now: this.now(),
      warn: (message) => warnings.push(message),
      internalSpeechWithoutAgent: this.internalSpeech,
      onIgnored: this.onIgnored,
    });
    const frameTime = transcriptionTime(body);
    return {
      facts: sortFacts(facts),
      control: [],
      digitalMessages: [],
      conversationId,
      conversationEnded: memory.ended,
      warnings,
      ...(frameTime !== undefined ? { frameTime } : {}),
    };
  }

  private rejected(source: string, error: z.ZodError): FrameResult {
    return { ...emptyResult(), warnings: [`genesys: ${source}: payload ignored: ${z.prettifyError(error)}`] };
  }
}
