// The stored conversation state carries a version: a state the first release wrote still reads (a restart after
// an upgrade resumes the conversation), and a state from a newer release is refused by name, never misread.
import { describe, expect, it } from 'vitest';
import { initialState, parseState, STATE_VERSION, StateVersionError } from '../../src/core/conversation-state.js';

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
});
