// The seed's event-order rules for one conversation ("Standard Conversation Flow", "Abrupt Conversation
// End (Redial)"), applied to what the fake accepted. Breaking them does not make Agent AI answer an error —
// it silently corrupts analytics, segments and post-call processing — so the fake records a violation and
// still answers 200, letting a test see the whole sequence that would have reached Kore.
import { labelItem, type HookItem } from './agentai-schemas.js';

export class ConversationOrder {
  #seenAny = false;
  #started = false;
  #ended = false;
  readonly #entered = new Set<string>();
  #lastTransfer: Extract<HookItem, { kind: 'transfer' }> | undefined;

  /** Apply one accepted item; returns the rules it broke (empty when fine). */
  accept(item: HookItem): string[] {
    const label = labelItem(item);
    const violations: string[] = [];
    const first = !this.#seenAny;
    this.#seenAny = true;

    if (this.#ended) {
      // The seed: "Invoke this event only once ... to prevent duplicate processing".
      violations.push(item.kind === 'end' ? 'duplicate END_OF_CONVERSATION' : `${label} after END_OF_CONVERSATION`);
      return violations;
    }

    if (item.kind === 'message') {
      if (!this.#started) violations.push(`${label} before the first entry`);
      if (item.author === 'USER' && !item.sendUserMessage) violations.push(`${label} with sendUserMessage false (Agent AI ignores it)`);
      if (item.author === 'AGENT' && !item.sendAgentMessage) violations.push(`${label} with sendAgentMessage false (Agent AI ignores it)`);
      return violations;
    }

    if (first && !(item.kind === 'transfer' && item.transition === 'entry' && (item.type === 'na' || item.type === 'redial'))) {
      violations.push(`first event must be an NA or redial entry, got ${label}`);
    }

    switch (item.kind) {
      case 'transfer':
        if (item.transition === 'entry') {
          if (this.#entered.has(item.identity)) violations.push(`${label}: ${item.identity} is already entered`);
          this.#entered.add(item.identity);
          this.#started = true;
        } else if (!this.#entered.delete(item.identity)) {
          violations.push(`exit without entry: ${label}`);
        }
        this.#lastTransfer = item;
        break;
      case 'summary':
      case 'end':
        if (this.#entered.size > 0) {
          violations.push(`${label} while ${[...this.#entered].join(', ')} still entered`);
        } else if (!(this.#lastTransfer?.type === 'na' && this.#lastTransfer.transition === 'exit')) {
          violations.push(`${label} not after the final NA exit`);
        }
        if (item.kind === 'end') this.#ended = true;
        break;
    }
    return violations;
  }
}
