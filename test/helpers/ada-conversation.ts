// One Ada conversation as its webhooks, and what Agent AI must receive for it: shared by the daemon-process
// tests (one process, restarts) and the replica tests (several processes).
import { created, ended, handoffEnded, message } from '../../adapters/ada/test/harness.js';

export const ADA_EXPECTED = ['NA entry agent-sam', 'message USER', 'message AGENT', 'message USER', 'message AGENT', 'NA exit agent-sam', 'TRIGGER_SUMMARY_EVENT', 'END_OF_CONVERSATION'];

export function adaConversation(conv: string): unknown[] {
  return [
    created(conv, 0),
    message(conv, 1000, { role: 'end_user', text: 'hello?' }),
    message(conv, 2000, { role: 'human_agent', text: 'Sam here', authorId: 'agent-sam', name: 'Sam' }),
    message(conv, 3000, { role: 'end_user', text: 'my parcel' }),
    message(conv, 4000, { role: 'human_agent', text: 'on its way', authorId: 'agent-sam', name: 'Sam' }),
    handoffEnded(conv, 5000),
    ended(conv, 6000),
  ];
}

export const short = (labels: readonly string[]): string[] => labels.map((l) => l.replace(/^(message \w+).*/, '$1'));
/** A call resent after an unknown outcome arrives twice in a row; that is the only repetition allowed. */
export const dedupeAdjacent = (labels: readonly string[]): string[] => labels.filter((l, i) => l !== labels[i - 1]);
