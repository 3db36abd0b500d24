// What the processor recognises and deliberately turns into no facts, by reason: reported through
// `onIgnored` (a metric in the daemon and in replay), never as a warning, since each is expected input.
import type { WithheldReason } from './conversation-memory.js';

export type IgnoredInput =
  /** An agent leg that is not an agent entering the conversation (withheld.ts), counted once per leg. */
  | WithheldReason
  /** An INTERNAL-channel utterance while no agent was connected: IVR, bot or hold prompts. */
  | 'internal-speech-without-agent'
  /** A digital message sent by a bot, workflow or supervisor participant rather than an agent or the customer. */
  | 'non-agent-message'
  /** A message between agents in a digital consult's own conversation. */
  | 'consult-message';

/** Every reason, so the daemon can show each at 0 before the first (the compiler keeps it complete). */
export const IGNORED_INPUTS: Record<IgnoredInput, true> = {
  'supervisor-monitor': true,
  'supervisor-coach': true,
  'supervisor-screen-monitor': true,
  'no-customer': true,
  'consult-initiator': true,
  'internal-speech-without-agent': true,
  'non-agent-message': true,
  'consult-message': true,
};
