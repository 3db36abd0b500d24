// The stored conversation state carries a version: a state the first release wrote still reads (a restart after
// an upgrade resumes the conversation), and a state from a newer release is refused by name, never misread.
import { describe, expect, it } from 'vitest';
import { initialState, parseState, serialiseState, STATE_VERSION, StateVersionError, type ConversationState } from '../../src/core/conversation-state.js';

// As the first release stored an open conversation (no fields added since, e.g. no textRef on messages).
const FIRST_RELEASE =
  '{"v":1,"phase":"open","active":[{"agent":{"identity":"user-A","name":"Alice"},"legs":["p1:c1"]}],"customerGone":false,' +
  '"platforms":{"conv-1":{"ended":false}},"legs":{"p1:c1":"joined"},"earlyMessages":[{"author":"USER","text":"hi","messageId":"m1"}],"wakeAt":1700000010000}';

describe('stored conversation state versions', () => {
  it('reads what the first release wrote, exactly', () => {
    const state = parseState(FIRST_RELEASE);
    expect(state.phase).toBe('open');
    expect(state.active[0]?.agent.identity).toBe('user-A');
    expect(state.wakeAt).toBe(1700000010000);
    expect(parseState(JSON.stringify(initialState())).v).toBe(STATE_VERSION);
  });

  it('refuses a state written by a newer release, naming both versions', () => {
    const newer = JSON.stringify({ ...initialState(), v: STATE_VERSION + 1 });
    expect(() => parseState(newer)).toThrow(StateVersionError);
    expect(() => parseState(newer)).toThrow(`version ${STATE_VERSION + 1} is newer than this release (${STATE_VERSION})`);
  });

  it('stores a state compactly and reads every field back as it was', () => {
    const agent = { identity: 'user-A', name: 'Alice', email: 'a@example.com', queueId: 'q1', queueName: 'Sales' };
    const full: ConversationState = {
      v: STATE_VERSION,
      phase: 'open',
      experience: 'chat',
      language: 'en-US',
      active: [{ agent, legs: ['p1:c1', 'p1:c2'] }],
      pendingExit: { agent: { identity: 'user-B' }, reason: 'transfer', at: 5, deadline: 9 },
      lastAgent: agent,
      dropped: { at: 1, until: 2 },
      customerDroppedAt: 3,
      customerGone: true,
      customer: { address: '+15550100', externalContactId: 'ext-1' },
      platforms: { 'conv-1': { ended: false }, 'conv-2': { ended: true } },
      legs: { 'p1:c1': 'joined', 'p2:c3': 'left' },
      earlyMessages: [{ author: 'AGENT', text: 'hi', messageId: 'm1', agentIdentity: 'user-A', textRef: 'r1' }],
      wakeAt: 1700000010000,
      closedAt: 1700000020000,
    };
    expect(parseState(serialiseState(full))).toEqual(full);
    expect(parseState(serialiseState(initialState()))).toEqual(initialState());
    // The first release's verbose form of the same state is at least a third longer.
    expect(serialiseState(full).length).toBeLessThan(JSON.stringify(full).length * 0.75);
  });

  it('leaves out what an idle open conversation holds by default', () => {
    const idle = { ...parseState(FIRST_RELEASE), earlyMessages: [] };
    const stored = serialiseState(idle);
    expect(stored).not.toContain('customerGone');
    expect(stored).not.toContain('earlyMessages');
    expect(parseState(stored)).toEqual(idle);
  });
});
