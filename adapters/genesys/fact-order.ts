// Facts leave the processor in the order they happened. Equal times are common (a blind transfer ends one
// leg and connects the next in the same millisecond), so ties follow cause and effect: an agent leaves
// before the next one joins, and the conversation ends after everyone has left.
import type { Fact, FactType } from '../../src/core/facts.js';

const TIE_RANK: Readonly<Record<FactType, number>> = {
  'agent.left': 0,
  'agents.left': 0,
  'agent.joined': 1,
  message: 2,
  'customer.left': 3,
  'conversation.ended': 4,
};

export function compareFacts(a: Fact, b: Fact): number {
  return a.at - b.at || TIE_RANK[a.type] - TIE_RANK[b.type];
}

/** Stable: facts that compare equal keep the order they were produced in. */
export function sortFacts(facts: readonly Fact[]): Fact[] {
  return [...facts].sort(compareFacts);
}
