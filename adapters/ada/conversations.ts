// Per-conversation mapping state, kept in memory. Ada may never send v1.conversation.ended (Zendesk Chat in
// private mode ends only on timeout), so idle conversations are forgotten after a TTL instead of leaking.
import { emptyConversationState, type AdaConversationState } from './mapper.js';

const SWEEP_EVERY_MS = 60_000;

interface Held {
  state: AdaConversationState;
  touched: number;
}

export class ConversationStates {
  private readonly held = new Map<string, Held>();
  private lastSweep = 0;

  constructor(private readonly ttlMs: number) {}

  get size(): number {
    return this.held.size;
  }

  get(conversationId: string, now: number): AdaConversationState {
    this.sweep(now);
    return this.held.get(conversationId)?.state ?? emptyConversationState();
  }

  set(conversationId: string, state: AdaConversationState, now: number): void {
    this.held.set(conversationId, { state, touched: now });
  }

  delete(conversationId: string): void {
    this.held.delete(conversationId);
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    for (const [id, held] of this.held) {
      if (now - held.touched > this.ttlMs) this.held.delete(id);
    }
  }
}
