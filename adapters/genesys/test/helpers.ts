// Shared by the Genesys adapter tests: fixture loading and a compact, readable rendering of facts.
import { readFileSync } from 'node:fs';
import type { Fact } from '../../../src/core/facts.js';
import { USERS } from '../../../test/fixtures/genesys/scenarios.js';
import { GenesysFrameProcessor, type FrameResult } from '../frame-processor.js';

export const FIXTURE_DIR = new URL('../../../test/fixtures/genesys/', import.meta.url);

export function fixturePath(name: string): URL {
  return new URL(`${name}.jsonl`, FIXTURE_DIR);
}

export function readFixture(name: string): string[] {
  return readFileSync(fixturePath(name), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
}

/** A fixed clock: fixtures carry their own times, so `now` only shows where a payload had none. */
export const FIXED_NOW = Date.parse('2030-01-01T00:00:00.000Z');

export function newProcessor(onUnknownDisconnectType?: (value: string) => void): GenesysFrameProcessor {
  return new GenesysFrameProcessor({
    now: () => FIXED_NOW,
    ...(onUnknownDisconnectType ? { onUnknownDisconnectType } : {}),
  });
}

export function feed(lines: readonly string[], processor = newProcessor()): { facts: Fact[]; results: FrameResult[] } {
  const results = lines.map((line) => processor.process(line));
  return { facts: results.flatMap((r) => r.facts), results };
}

const NAMES = new Map<string, string>(Object.entries(USERS).map(([name, user]) => [user.id, name]));

export function who(identity: string | undefined): string {
  return identity === undefined ? '?' : (NAMES.get(identity) ?? identity);
}

/** `joined alice(routing)`, `left bob(transfer)`, `customer.left(dropped)`, `message AGENT(alice) u-2`, `ended`. */
export function summarise(fact: Fact): string {
  switch (fact.type) {
    case 'agent.joined':
      return `joined ${who(fact.agent.identity)}(${fact.via})`;
    case 'agent.left':
      return `left ${who(fact.agent.identity)}(${fact.reason})`;
    case 'agents.left':
      return `everyone left(${fact.reason})`;
    case 'customer.left':
      return `customer.left(${fact.reason})`;
    case 'message':
      return fact.author === 'AGENT'
        ? `message AGENT(${who(fact.agentIdentity)}) ${fact.messageId}`
        : `message USER ${fact.messageId}`;
    case 'conversation.ended':
      return 'ended';
  }
}

/** The facts of one type, typed as such. */
export function ofType<T extends Fact['type']>(facts: readonly Fact[], type: T): Array<Extract<Fact, { type: T }>> {
  return facts.filter((f): f is Extract<Fact, { type: T }> => f.type === type);
}
