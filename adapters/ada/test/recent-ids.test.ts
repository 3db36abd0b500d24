// The in-memory set of recently completed svix ids is bounded and forgets the least recently seen first.
import { describe, expect, it } from 'vitest';
import { RecentIds } from '../recent-ids.js';

describe('RecentIds', () => {
  it('holds at most its capacity, forgetting the id seen longest ago; a retried id counts as seen again', () => {
    const recent = new RecentIds(2);
    recent.add('a');
    recent.add('b');
    expect(recent.has('a')).toBe(true); // a is now the most recent
    recent.add('c');
    expect(recent.size).toBe(2);
    expect(recent.has('b')).toBe(false);
    expect(recent.has('a')).toBe(true);
    expect(recent.has('c')).toBe(true);
  });

  it('does not grow when an id it holds is added again, and that id moves to the front', () => {
    const recent = new RecentIds(2);
    recent.add('a');
    recent.add('b');
    recent.add('a');
    expect(recent.size).toBe(2);
    recent.add('c');
    expect(recent.has('a')).toBe(true);
    expect(recent.has('b')).toBe(false);
  });

  it('with capacity 0 remembers nothing (the store dedupe key still holds)', () => {
    const recent = new RecentIds(0);
    recent.add('a');
    expect(recent.size).toBe(0);
    expect(recent.has('a')).toBe(false);
  });
});
