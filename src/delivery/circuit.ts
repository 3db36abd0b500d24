// A circuit per Agent AI host. After several transient failures in a row the host is taken to be down:
// delivery pauses instead of burning attempts (and, with them, the calls' chances before DELIVERY_MAX_AGE_MS),
// one probe call goes out at growing intervals, and the first success closes the circuit again.
export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitOptions {
  /** Consecutive transient failures that open the circuit. */
  readonly failures: number;
  readonly probeBaseMs: number;
  readonly probeMaxMs: number;
}

export type Permission = { readonly kind: 'go'; readonly probe: boolean } | { readonly kind: 'wait'; readonly untilMs: number };

export class Circuit {
  private consecutive = 0;
  private opened = 0;
  private probeDelay: number;
  private nextProbeAt = 0;
  private probing = false;
  state: CircuitState = 'closed';

  constructor(
    readonly host: string,
    private readonly options: CircuitOptions,
  ) {
    this.probeDelay = options.probeBaseMs;
  }

  /** May a call go out now? While open, exactly one probe at a time once its interval has passed. */
  permit(now: number): Permission {
    if (this.state === 'closed') return { kind: 'go', probe: false };
    if (!this.probing && now >= this.nextProbeAt) {
      this.probing = true;
      this.state = 'half-open';
      return { kind: 'go', probe: true };
    }
    return { kind: 'wait', untilMs: Math.max(this.nextProbeAt, now + 1) };
  }

  /** A probe is out: its outcome decides when the next call may go, so nobody needs to look before then. */
  get probeOut(): boolean {
    return this.probing;
  }

  /** How long until the next probe may go. */
  probeInMs(now: number): number {
    return Math.max(1, this.nextProbeAt - now);
  }

  /** The host answered (even with a permanent rejection): it is up. Returns true if this closed the circuit. */
  succeeded(): boolean {
    const wasOpen = this.state !== 'closed';
    this.consecutive = 0;
    this.probing = false;
    this.state = 'closed';
    this.probeDelay = this.options.probeBaseMs;
    return wasOpen;
  }

  /** A transient failure (network, 408, 429, 5xx, timeout). Returns true if this opened the circuit. */
  failed(now: number, probe: boolean): boolean {
    this.consecutive += 1;
    if (probe) {
      this.probing = false;
      this.state = 'open';
      this.probeDelay = Math.min(this.probeDelay * 2, this.options.probeMaxMs);
      this.nextProbeAt = now + this.probeDelay;
      return false;
    }
    if (this.state === 'closed' && this.consecutive >= this.options.failures) {
      this.state = 'open';
      this.opened = now;
      this.probeDelay = this.options.probeBaseMs;
      this.nextProbeAt = now + this.probeDelay;
      return true;
    }
    return false;
  }

  /** A probe ended without an answer either way (the store failed): let another try. */
  abandonProbe(): void {
    if (this.probing) {
      this.probing = false;
      this.state = 'open';
    }
  }

  status(): { host: string; state: CircuitState; openedAt?: string; nextProbeAt?: string; consecutiveFailures: number } {
    return {
      host: this.host,
      state: this.state,
      consecutiveFailures: this.consecutive,
      ...(this.state !== 'closed' ? { openedAt: new Date(this.opened).toISOString(), nextProbeAt: new Date(this.nextProbeAt).toISOString() } : {}),
    };
  }
}
