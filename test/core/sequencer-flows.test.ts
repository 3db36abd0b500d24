// Each seed flow of the hooks API, with and without the summary, as the exact sequence Agent AI must see.
import { describe, expect, it } from 'vitest';
import { customerLeft, ended, everyoneLeft, joined, left, run, said, settings, tick } from './fact-builders.js';

const withSummary = (tail: string[]): string[] => tail;
const withoutSummary = (tail: string[]): string[] => tail.filter((l) => l !== 'TRIGGER_SUMMARY_EVENT');

describe.each([
  ['with summary', { ...settings, summary: true }, withSummary],
  ['without summary', { ...settings, summary: false }, withoutSummary],
])('seed flows %s', (_name, s, expected) => {
  it('standard: NA entry, messages, NA exit, summary, EOC', () => {
    const { labels } = run([
      joined(0, 'A'), said(5, 'USER', 'hello'), said(6, 'AGENT', 'hi'),
      left(60, 'A', 'hangup'), customerLeft(60, 'hangup'), ended(61),
    ], s);
    expect(labels).toEqual(expected([
      'NA entry A', 'message USER A: hello', 'message AGENT A: hi', 'NA exit A', 'TRIGGER_SUMMARY_EVENT', 'END_OF_CONVERSATION A',
    ]));
  });

  it('cold A→B→C: cold exit/entry pairs, last agent NA exit', () => {
    const { labels } = run([
      joined(0, 'A'), left(30, 'A', 'transfer'), joined(35, 'B'), left(60, 'B', 'transfer'), joined(62, 'C'),
      left(120, 'C', 'hangup'), customerLeft(120, 'hangup'), ended(121),
    ], s);
    expect(labels).toEqual(expected([
      'NA entry A', 'cold exit A', 'cold entry B', 'cold exit B', 'cold entry C', 'NA exit C',
      'TRIGGER_SUMMARY_EVENT', 'END_OF_CONVERSATION C',
    ]));
  });

  it('warm with two consultants: warm entries and exits, primary NA exit', () => {
    const { labels } = run([
      joined(0, 'A'), joined(20, 'B', 'B-leg', 'consult'), joined(40, 'C', 'C-leg', 'consult'),
      left(60, 'B', 'hangup'), left(70, 'C', 'hangup'), left(100, 'A', 'hangup'), customerLeft(100, 'hangup'), ended(101),
    ], s);
    expect(labels).toEqual(expected([
      'NA entry A', 'warm entry B', 'warm entry C', 'warm exit B', 'warm exit C', 'NA exit A',
      'TRIGGER_SUMMARY_EVENT', 'END_OF_CONVERSATION A',
    ]));
  });

  it('redial after a drop: NA exit at the drop, redial entry, final NA exit', () => {
    const { labels } = run([
      joined(0, 'A'), left(30, 'A', 'dropped'), joined(45, 'A', 'A-leg-2', 'reconnect'),
      left(90, 'A', 'hangup', 'A-leg-2'), customerLeft(90, 'hangup'), ended(91),
    ], s);
    expect(labels).toEqual(expected([
      'NA entry A', 'NA exit A', 'redial entry A', 'NA exit A', 'TRIGGER_SUMMARY_EVENT', 'END_OF_CONVERSATION A',
    ]));
  });
});

describe('classification details', () => {
  it('a normal last exit waits the settle window: a successor makes it cold', () => {
    const { labels } = run([joined(0, 'A'), left(30, 'A', 'hangup'), joined(35, 'B'), ended(90)]);
    expect(labels.slice(0, 3)).toEqual(['NA entry A', 'cold exit A', 'cold entry B']);
  });

  it('a normal last exit with nobody following becomes NA exit when the settle window expires', () => {
    const { labels, state } = run([joined(0, 'A'), left(30, 'A', 'hangup'), tick(41)]);
    expect(labels).toEqual(['NA entry A', 'NA exit A']);
    expect(state.phase).toBe('open');
  });

  it('a blind transfer waits the longer transfer window: a successor after a queue wait is still cold', () => {
    expect(run([joined(0, 'A'), left(30, 'A', 'transfer'), joined(150, 'B')]).labels).toEqual(['NA entry A', 'cold exit A', 'cold entry B']);
    expect(run([joined(0, 'A'), left(30, 'A', 'transfer'), tick(331)]).labels).toEqual(['NA entry A', 'NA exit A']);
  });

  it('a customer abandoning in queue after a blind transfer ends the wait at once: NA exit', () => {
    const { labels } = run([joined(0, 'A'), left(30, 'A', 'transfer'), customerLeft(60, 'hangup'), ended(60)]);
    expect(labels).toEqual(['NA entry A', 'NA exit A', 'TRIGGER_SUMMARY_EVENT', 'END_OF_CONVERSATION A']);
  });

  it('an agent arriving after the settled NA exit enters cold; the conversation still ends once', () => {
    const { labels } = run([joined(0, 'A'), left(30, 'A', 'hangup'), tick(41), joined(300, 'B'), left(400, 'B', 'hangup'), ended(400)]);
    expect(labels).toEqual(['NA entry A', 'NA exit A', 'cold entry B', 'NA exit B', 'TRIGGER_SUMMARY_EVENT', 'END_OF_CONVERSATION B']);
  });

  it('consult completed: the initiator leaves warm, the consultant ends with NA exit', () => {
    const { labels } = run([joined(0, 'A'), joined(20, 'B', 'B-leg', 'consult'), left(40, 'A', 'consult'), left(90, 'B', 'hangup'), ended(90)]);
    expect(labels).toEqual(['NA entry A', 'warm entry B', 'warm exit A', 'NA exit B', 'TRIGGER_SUMMARY_EVENT', 'END_OF_CONVERSATION B']);
  });

  it('a customer drop holds EOC for the redial window, then ends with summary and EOC', () => {
    const { labels, state } = run([joined(0, 'A'), customerLeft(30, 'dropped'), left(31, 'A', 'hangup'), ended(31)]);
    expect(labels).toEqual(['NA entry A', 'NA exit A']);
    expect(state.wakeAt).toBe(Date.parse('2026-05-04T10:01:30Z'));
    const after = run([joined(0, 'A'), customerLeft(30, 'dropped'), left(31, 'A', 'hangup'), ended(31), tick(90)]);
    expect(after.labels).toEqual(['NA entry A', 'NA exit A', 'TRIGGER_SUMMARY_EVENT', 'END_OF_CONVERSATION A']);
  });

  it('a redial placed as a second platform conversation continues the first one', () => {
    const { labels } = run([
      joined(0, 'A'), customerLeft(30, 'dropped'), left(31, 'A', 'hangup'), ended(31),
      joined(70, 'A', 'A-out', 'outbound', 'c2'), left(120, 'A', 'hangup', 'A-out', 'c2'), customerLeft(120, 'hangup', 'c2'), ended(121, 'c2'),
    ]);
    expect(labels).toEqual(['NA entry A', 'NA exit A', 'redial entry A', 'NA exit A', 'TRIGGER_SUMMARY_EVENT', 'END_OF_CONVERSATION A']);
  });

  it('messages before the first agent are flushed after NA entry, or dropped when configured', () => {
    const early = [said(0, 'USER', 'anyone?'), joined(5, 'A'), said(6, 'USER', 'hi')];
    expect(run(early).labels).toEqual(['NA entry A', 'message USER A: anyone?', 'message USER A: hi']);
    expect(run(early, { ...settings, earlyMessages: 'drop' }).labels).toEqual(['NA entry A', 'message USER A: hi']);
  });

  it('a conversation that ends before any agent sends nothing', () => {
    const { labels, state } = run([said(0, 'USER', 'hello'), customerLeft(10, 'hangup'), ended(10)]);
    expect(labels).toEqual([]);
    expect(state.phase).toBe('closed');
  });

  it('the platform ending with agents still in sends their exits first, consultants before the primary', () => {
    const { labels } = run([joined(0, 'A'), joined(10, 'B', 'B-leg', 'conference'), ended(50)]);
    expect(labels).toEqual(['NA entry A', 'warm entry B', 'warm exit B', 'NA exit A', 'TRIGGER_SUMMARY_EVENT', 'END_OF_CONVERSATION A']);
  });

  it('one agent on two legs enters once and exits once, with the last leg', () => {
    const { labels } = run([joined(0, 'A', 'p1'), joined(5, 'A', 'p2'), left(10, 'A', 'hangup', 'p1'), left(50, 'A', 'hangup', 'p2'), ended(50)]);
    expect(labels).toEqual(['NA entry A', 'NA exit A', 'TRIGGER_SUMMARY_EVENT', 'END_OF_CONVERSATION A']);
  });

  it('"everyone left" closes every agent the conversation holds, on all their legs, as if each were named', () => {
    const { labels } = run([joined(0, 'A', 'a1'), joined(5, 'A', 'a2'), joined(10, 'B', 'B-leg', 'conference'), everyoneLeft(40), tick(60)]);
    expect(labels).toEqual(['NA entry A', 'warm entry B', 'warm exit A', 'NA exit B']);
    // Nobody there: nothing to say.
    const none = run([joined(0, 'A'), left(10, 'A', 'hangup'), tick(30), everyoneLeft(40)]);
    expect(none.labels).toEqual(['NA entry A', 'NA exit A']);
  });

  it('facts after the end change nothing and are reported as ignored', () => {
    const { labels } = run([joined(0, 'A'), left(10, 'A', 'hangup'), ended(10), joined(20, 'B'), said(21, 'USER', 'late')]);
    expect(labels).toEqual(['NA entry A', 'NA exit A', 'TRIGGER_SUMMARY_EVENT', 'END_OF_CONVERSATION A']);
  });

  it('a callback conversation may open with a redial entry (config)', () => {
    expect(run([joined(0, 'A', 'A-cb', 'callback')]).labels).toEqual(['redial entry A']);
    expect(run([joined(0, 'A', 'A-cb', 'callback')], { ...settings, callbackEntry: 'NA' }).labels).toEqual(['NA entry A']);
  });

  it('locales are reduced to the language code Agent AI expects', () => {
    const f = { ...joined(0, 'A'), language: 'en-US' } as const;
    expect(run([f]).intents[0]?.language).toBe('en');
  });
});
