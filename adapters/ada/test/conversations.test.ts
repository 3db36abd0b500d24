// Ada may never say a conversation ended (Zendesk Chat in private mode ends on a timeout only): the mapping
// state of an idle conversation is forgotten after the TTL, on a clock the test holds.
import { describe, expect, it } from 'vitest';
import { ConversationStates } from '../conversations.js';

const TTL = 10 * 60_000;
const state = (language: string) => ({ language, joined: new Map() });

describe('ConversationStates', () => {
  it('keeps a conversation until it has been idle longer than the TTL, then forgets it at the next sweep', () => {
    const states = new ConversationStates(TTL);
    states.set('c1', state('fr'), 0);
    // Idle exactly the TTL at a sweep: still held.
    expect(states.get('c1', TTL)).toMatchObject({ language: 'fr' });
    expect(states.get('c1', TTL + 60_000)).not.toHaveProperty('language');
    expect(states.size).toBe(0);
  });

  it('counts idleness from the last write, so a conversation that goes on is kept', () => {
    const states = new ConversationStates(TTL);
    states.set('busy', state('de'), 0);
    states.set('idle', state('en'), 0);
    states.set('busy', state('de'), TTL);
    expect(states.get('busy', TTL + 60_000)).toMatchObject({ language: 'de' });
    expect(states.get('idle', TTL + 60_000)).not.toHaveProperty('language');
    expect(states.size).toBe(1);
  });

  it('sweeps at most once a minute, not on every webhook', () => {
    const states = new ConversationStates(1_000);
    states.set('c1', state('fr'), 0);
    states.get('other', 60_000); // a sweep: c1 is idle 60 s, past its 1 s TTL
    expect(states.size).toBe(0);
    states.set('c2', state('fr'), 60_000);
    // 30 s later c2 is past its TTL, but the last sweep was only 30 s ago.
    expect(states.get('c2', 90_000)).toMatchObject({ language: 'fr' });
    expect(states.get('c2', 120_000)).not.toHaveProperty('language');
  });

  it('answers an empty state for a conversation it does not hold, and forgets one on delete', () => {
    const states = new ConversationStates(TTL);
    expect(states.get('nobody', 0)).toEqual({ joined: new Map() });
    states.set('c1', state('fr'), 0);
    states.delete('c1');
    expect(states.get('c1', 1)).toEqual({ joined: new Map() });
  });
});
