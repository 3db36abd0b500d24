// The seam between the summary follow-up (src/summary) and a platform that can store a summary on the agent's
// side of a conversation. The Genesys adapter provides one (adapters/genesys/summary-writeback.ts); the core
// never imports an adapter.
import { BridgeError } from '../errors.js';

export interface SummaryWriteRequest {
  /** The platform's conversation id (for Genesys, the Genesys conversation id). */
  readonly platformConversationId: string;
  /** The last agent's identity as the adapter reported it (for Genesys, the user id). */
  readonly agentIdentity: string;
  readonly summary: string;
}

export interface SummaryWriter {
  /**
   * Stores the summary on the agent's participant. Idempotent: 'unchanged' when it is already there.
   * Throws SummaryWriteError (or any Error, treated as retryable) when it could not.
   */
  write(req: SummaryWriteRequest): Promise<'written' | 'unchanged'>;
}

/**
 * A write that failed. `retryable: false` means no retry can help (no such participant in this platform
 * conversation, a 400/403/404...); `notFound` says the agent has no participant in that platform conversation,
 * so the follow-up can try another one (a redial placed as a new call has its own conversation id).
 */
export class SummaryWriteError extends BridgeError {
  constructor(
    message: string,
    retryable: boolean,
    readonly notFound = false,
  ) {
    super(notFound ? 'SUMMARY_PARTICIPANT_NOT_FOUND' : 'SUMMARY_WRITE_FAILED', message, { retryable });
    this.name = 'SummaryWriteError';
  }
}
