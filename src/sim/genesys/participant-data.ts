// What the org's REST API writes on a participant: participant attributes (PATCH .../attributes merges keys)
// and the wrap-up posted on one of its communications. Published snapshots replace a conversation's body
// wholesale, so these are kept apart and laid over every later rendering of that conversation: the answer
// to GET /api/v2/conversations/{id} and the notification snapshots published afterwards.

/** The media lists a wrap-up can be posted on (URL segment = participant field). */
export type WrapupMedia = 'calls' | 'callbacks' | 'emails' | 'messages';

export interface SimWrapup {
  readonly code: string;
  readonly notes?: string;
  readonly tags?: readonly string[];
  readonly durationSeconds?: number;
  readonly endTime?: string;
  /** The communication it was posted on. */
  readonly media: WrapupMedia;
  readonly communicationId: string;
}

interface Written {
  attributes: Record<string, string>;
  wrapup: SimWrapup | undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export class ParticipantData {
  /** conversation id → participant id → what was written. */
  readonly #byConversation = new Map<string, Map<string, Written>>();

  mergeAttributes(conversationId: string, participantId: string, attributes: Readonly<Record<string, string>>): void {
    const w = this.#entry(conversationId, participantId);
    w.attributes = { ...w.attributes, ...attributes };
  }

  /** Replaces the participant's wrap-up (Genesys keeps one per participant). */
  setWrapup(conversationId: string, participantId: string, wrapup: SimWrapup): void {
    this.#entry(conversationId, participantId).wrapup = wrapup;
  }

  wrapup(conversationId: string, participantId: string): SimWrapup | undefined {
    return this.#byConversation.get(conversationId)?.get(participantId)?.wrapup;
  }

  /** A copy of a nested conversation body with the written attributes merged into each participant's own. */
  overlay(body: Record<string, unknown>): Record<string, unknown> {
    const written = typeof body.id === 'string' ? this.#byConversation.get(body.id) : undefined;
    if (!written || !Array.isArray(body.participants)) return body;
    const participants = body.participants.map((p: unknown) => {
      const w = isRecord(p) && typeof p.id === 'string' ? written.get(p.id) : undefined;
      if (!isRecord(p) || !w) return p;
      const own = isRecord(p.attributes) ? p.attributes : {};
      return {
        ...p,
        attributes: { ...own, ...w.attributes },
        ...(w.wrapup ? { wrapup: wrapupView(w.wrapup) } : {}),
      };
    });
    return { ...body, participants };
  }

  #entry(conversationId: string, participantId: string): Written {
    let participants = this.#byConversation.get(conversationId);
    if (!participants) this.#byConversation.set(conversationId, (participants = new Map()));
    let w = participants.get(participantId);
    if (!w) participants.set(participantId, (w = { attributes: {}, wrapup: undefined }));
    return w;
  }
}

/** A wrap-up as Genesys renders it (GET .../participants/{pid}/wrapup, participant.wrapup). */
export function wrapupView(w: SimWrapup): Record<string, unknown> {
  return {
    code: w.code,
    ...(w.notes !== undefined ? { notes: w.notes } : {}),
    ...(w.tags !== undefined ? { tags: w.tags } : {}),
    ...(w.durationSeconds !== undefined ? { durationSeconds: w.durationSeconds } : {}),
    ...(w.endTime !== undefined ? { endTime: w.endTime } : {}),
    provisional: false,
  };
}
