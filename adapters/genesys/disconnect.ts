// disconnectType → why a leg ended (facts §2.3, §2.5). Values are lower-case dotted strings on conversation
// topics and REST; the enum grows over time, so unknown values are reported rather than guessed silently.
import type { AgentLeftReason, CustomerLeftReason } from '../../src/core/facts.js';
import { openEnum } from './lenient.js';

export interface Classified<R> {
  readonly reason: R;
  /** Set when the value is not one we know (or is missing): the raw value, or `<missing>`. */
  readonly unknown?: string;
}

export const MISSING_DISCONNECT_TYPE = '<missing>';

/** The metric label of a value the bridge does not know: never the value itself, Genesys could send anything. */
export function disconnectTypeLabel(value: string): 'missing' | 'unrecognised' {
  return value === MISSING_DISCONNECT_TYPE ? 'missing' : 'unrecognised';
}

const AGENT_REASONS: ReadonlyMap<string, AgentLeftReason> = new Map<string, AgentLeftReason>([
  ['transfer', 'transfer'],
  ['transfer.consult', 'consult'],
  ['transfer.conference', 'conference'],
  // Forward / no-answer / not-available / do-not-disturb all move the interaction to someone else.
  ['transfer.forward', 'transfer'],
  ['transfer.noanswer', 'transfer'],
  ['transfer.notavailable', 'transfer'],
  ['transfer.donotdisturb', 'transfer'],
  ['client', 'hangup'],
  ['endpoint', 'hangup'],
  ['peer', 'hangup'],
  ['endpoint.donotdisturb', 'hangup'],
  ['spam', 'hangup'],
  // A messaging session closed for inactivity or expiry is an ordinary end, not a fault.
  ['inactivity', 'hangup'],
  ['session.expired', 'hangup'],
  ['error', 'dropped'],
  ['system', 'dropped'],
  ['transport.failure', 'dropped'],
  ['timeout', 'dropped'],
  ['other', 'dropped'],
  ['uncallable', 'dropped'],
]);

// The dropped-call blueprint (automatic-offer-callback-for-disconnected-call) counts UNKNOWN, SYSTEM, ERROR,
// OTHER, TIMEOUT, TRANSPORT_FAILURE and UNCALLABLE as drops; a normal hang-up is PEER, ENDPOINT or CLIENT.
const CUSTOMER_REASONS: ReadonlyMap<string, CustomerLeftReason> = new Map<string, CustomerLeftReason>([
  ['endpoint', 'hangup'],
  ['client', 'hangup'],
  ['peer', 'hangup'],
  ['endpoint.donotdisturb', 'hangup'],
  ['spam', 'hangup'],
  ['inactivity', 'hangup'],
  ['session.expired', 'hangup'],
  // The customer was moved on (to another number or conference), not cut off.
  ['transfer', 'hangup'],
  ['transfer.consult', 'hangup'],
  ['transfer.conference', 'hangup'],
  ['transfer.forward', 'hangup'],
  ['transfer.noanswer', 'hangup'],
  ['transfer.notavailable', 'hangup'],
  ['transfer.donotdisturb', 'hangup'],
  ['error', 'dropped'],
  ['system', 'dropped'],
  ['transport.failure', 'dropped'],
  ['timeout', 'dropped'],
  ['other', 'dropped'],
  ['unknown', 'dropped'],
  ['uncallable', 'dropped'],
]);

/** Unknown or missing → `hangup`: an unexplained agent exit is more often a normal end than a fault. */
export function agentLeftReason(disconnectType: string | undefined): Classified<AgentLeftReason> {
  return classify(disconnectType, AGENT_REASONS, 'hangup');
}

/** Unknown or missing → `dropped`, matching the blueprint's treatment of UNKNOWN. */
export function customerLeftReason(disconnectType: string | undefined): Classified<CustomerLeftReason> {
  return classify(disconnectType, CUSTOMER_REASONS, 'dropped');
}

function classify<R>(raw: string | undefined, table: ReadonlyMap<string, R>, fallback: R): Classified<R> {
  const key = openEnum(raw);
  const known = key === undefined ? undefined : table.get(key);
  if (known !== undefined) return { reason: known };
  return { reason: fallback, unknown: key ?? MISSING_DISCONNECT_TYPE };
}
