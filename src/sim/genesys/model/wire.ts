// What the voice and messaging models render alike: the conversation's clock, the nested participant's
// media arrays in the SDK's order, the org's division, and the JSON copy that drops `undefined` members the
// way the wire does.

/** The simulated org's one division (every conversation is in it). */
export const ORG_DIVISION_ID = 'e1c4b2a0-5d3f-4a8e-9b7c-000000000d01';

/** The conversation's `divisions` member. */
export function divisions(): { division: { id: string }; entities: never[] }[] {
  return [{ division: { id: ORG_DIVISION_ID }, entities: [] }];
}

/** Every media array of a nested participant (SDK v262 `QueueConversationEventTopicParticipant`), empty, in wire order. */
export function emptyMedia(): Record<string, unknown[]> {
  return {
    calls: [],
    callbacks: [],
    chats: [],
    cobrowsesessions: [],
    emails: [],
    messages: [],
    internalMessages: [],
    screenMonitorings: [],
    screenshares: [],
    socialExpressions: [],
    videos: [],
  };
}

/** Deep copy through JSON: drops `undefined` members exactly as the wire would. */
export function wireCopy(value: Record<string, unknown>): Record<string, unknown> {
  const copy: unknown = JSON.parse(JSON.stringify(value));
  if (typeof copy !== 'object' || copy === null || Array.isArray(copy)) throw new Error('wireCopy: not an object');
  return Object.fromEntries(Object.entries(copy));
}

/** A conversation's id and clock: times are given in seconds after it started. */
export class ConversationClock {
  constructor(
    readonly id: string,
    protected readonly startMs: number,
  ) {}

  /** ISO time `seconds` after the conversation started. */
  iso(seconds: number): string {
    return new Date(this.startMs + Math.round(seconds * 1000)).toISOString();
  }

  ms(seconds: number): number {
    return this.startMs + Math.round(seconds * 1000);
  }
}
