// The delivery circuit on its own: when it opens, how probes are spaced and that only one is out at a time.
import { describe, expect, it } from 'vitest';
import { Circuit } from '../../src/delivery/circuit.js';

const T0 = 1_700_000_000_000;
const options = { failures: 3, probeBaseMs: 1_000, probeMaxMs: 4_000 };

describe('Circuit', () => {
  it('stays closed below DELIVERY_CIRCUIT_FAILURES failures in a row; a success resets the count', () => {
    const c = new Circuit('h', options);
    expect(c.failed(T0, false)).toBe(false);
    expect(c.failed(T0, false)).toBe(false);
    expect(c.succeeded()).toBe(false);
    expect(c.failed(T0, false)).toBe(false);
    expect(c.failed(T0, false)).toBe(false);
    expect(c.state).toBe('closed');
    expect(c.permit(T0)).toEqual({ kind: 'go', probe: false });
    expect(c.status()).toEqual({ host: 'h', state: 'closed', consecutiveFailures: 2 });
  });

  it('opens at the threshold, once; then lets one probe out per interval', () => {
    const c = new Circuit('h', options);
    c.failed(T0, false);
    c.failed(T0, false);
    expect(c.failed(T0, false)).toBe(true);
    expect(c.failed(T0, false)).toBe(false);
    expect(c.state).toBe('open');
    expect(c.status()).toEqual({
      host: 'h',
      state: 'open',
      consecutiveFailures: 4,
      openedAt: new Date(T0).toISOString(),
      nextProbeAt: new Date(T0 + 1_000).toISOString(),
    });
    expect(c.permit(T0 + 10)).toEqual({ kind: 'wait', untilMs: T0 + 1_000 });
    expect(c.probeInMs(T0 + 10)).toBe(990);
    expect(c.permit(T0 + 1_000)).toEqual({ kind: 'go', probe: true });
    expect(c.state).toBe('half-open');
    // One probe at a time: the next caller waits even though the interval has passed.
    expect(c.permit(T0 + 1_000)).toEqual({ kind: 'wait', untilMs: T0 + 1_001 });
    expect(c.probeInMs(T0 + 5_000)).toBe(1);
  });

  it('a failed probe doubles the interval up to the max; a good one closes the circuit and resets it', () => {
    const c = new Circuit('h', { ...options, failures: 1 });
    c.failed(T0, false);
    let t = T0 + 1_000;
    const intervals: number[] = [];
    for (let i = 0; i < 4; i++) {
      expect(c.permit(t).kind).toBe('go');
      // A failed probe keeps it open; it does not "open" it again.
      expect(c.failed(t, true)).toBe(false);
      intervals.push(c.probeInMs(t));
      t += c.probeInMs(t);
    }
    expect(intervals).toEqual([2_000, 4_000, 4_000, 4_000]);
    expect(c.permit(t)).toEqual({ kind: 'go', probe: true });
    expect(c.succeeded()).toBe(true);
    expect(c.state).toBe('closed');
    // Reset: the next opening starts again from the base interval, and its probe goes when due.
    expect(c.failed(t, false)).toBe(true);
    expect(c.probeInMs(t)).toBe(1_000);
    expect(c.permit(t + 1_000)).toEqual({ kind: 'go', probe: true });
  });

  it('an abandoned probe lets the next one go at once', () => {
    const c = new Circuit('h', { ...options, failures: 1 });
    c.failed(T0, false);
    expect(c.permit(T0 + 1_000).kind).toBe('go');
    c.abandonProbe();
    expect(c.state).toBe('open');
    expect(c.permit(T0 + 1_000)).toEqual({ kind: 'go', probe: true });
    // Abandoning when no probe is out changes nothing.
    const closed = new Circuit('h', options);
    closed.abandonProbe();
    expect(closed.state).toBe('closed');
  });
});
