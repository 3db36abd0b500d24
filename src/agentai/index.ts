// The public face of the Agent AI client; everything else in this folder is an implementation detail.
export {
  buildHookBody,
  describeIntent,
  DEFAULT_WIRE_OPTIONS,
  type EndOfConversationEvent,
  type EventsHookBody,
  type HookBody,
  type HookContext,
  type HookEvent,
  type MessageHookBody,
  type SummaryEvent,
  type TransferEvent,
  type WireCustomFields,
  type WireOptions,
  type WireParticipant,
  type WireTransferType,
} from './bodies.js';
export { AgentAiClient, DEFAULT_HOOKS_PATH, type AgentAiClientOptions, type BotCredentials, type SendOutcome } from './client.js';
export { TokenMinter, type JwtOptions } from './jwt.js';
export { parseRetryAfter } from '../util/retry-after.js';
export { capHookBody, capId, capMessageText, capName, capText, ID_MARKER, LIMITS, NAME_MARKER, TEXT_MARKER, type Capped, type HookBodyField } from './limits.js';
