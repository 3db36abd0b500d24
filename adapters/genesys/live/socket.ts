// One websocket to one channel's connectUri, with the health rules of facts §1.3: any frame (heartbeat,
// pong, event) proves the socket alive; after `heartbeatTimeoutMs` of silence a {"message":"ping"} health
// check is sent, and if nothing answers within `pingTimeoutMs` the socket is declared dead and closed.
// RFC 6455 ping frames are not Genesys's health check, so they are not used. A socket that was silent long
// enough to be pinged and then speaks again may have lost events meanwhile (a half-open network that healed):
// it says so (onSilent, then onHeard) so the silence is reconciled like a gap.
import WebSocket from 'ws';

export type SocketLostCause = 'closed' | 'no-pong';

export interface SocketOptions {
  readonly heartbeatTimeoutMs: number;
  readonly pingTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly onFrame: (text: string) => void;
  /**
   * The socket ended without close() being called: dropped by the peer or a network error (`closed`), or the
   * watchdog gave up on it (`no-pong`). `why` is for people.
   */
  readonly onLost: (why: string, cause: SocketLostCause) => void;
  /** Silent for `heartbeatTimeoutMs` (a ping is sent): events since `since` may be missing. */
  readonly onSilent?: (since: number) => void;
  /** A frame after such a silence: the socket lives, but what it did not deliver must be re-read. */
  readonly onHeard?: () => void;
}

export class NotificationSocket {
  private ws: WebSocket | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private pingSentAt: number | undefined;
  private closedByUs = false;
  private lostReported = false;
  lastFrameAt = Date.now();

  constructor(private readonly options: SocketOptions) {}

  /** Resolves when the socket is open; rejects if it cannot be opened. */
  connect(uri: string): Promise<void> {
    // A reconnect reuses this object: forget the previous socket's end.
    const previous = this.ws;
    if (previous) {
      previous.removeAllListeners();
      previous.on('error', () => undefined);
      previous.terminate();
    }
    this.closedByUs = false;
    this.lostReported = false;
    this.pingSentAt = undefined;
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(uri, { handshakeTimeout: this.options.connectTimeoutMs });
      this.ws = ws;
      let opened = false;
      ws.on('open', () => {
        opened = true;
        this.lastFrameAt = Date.now();
        this.startWatchdog();
        resolve();
      });
      ws.on('message', (data, isBinary) => {
        this.lastFrameAt = Date.now();
        const wasSilent = this.pingSentAt !== undefined;
        this.pingSentAt = undefined;
        if (wasSilent) this.options.onHeard?.();
        if (!isBinary) this.options.onFrame(Array.isArray(data) ? Buffer.concat(data).toString('utf8') : data.toString());
      });
      ws.on('error', (err) => {
        // After open, 'close' follows and reports the loss.
        if (!opened) reject(err);
      });
      ws.on('close', (code, reason) => {
        this.stopWatchdog();
        if (!opened) {
          reject(new Error(`websocket closed before open (${code})`));
          return;
        }
        this.reportLost(`closed by peer (${code}${reason.length ? ` ${reason.toString()}` : ''})`, 'closed');
      });
    });
  }

  get open(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  send(text: string): void {
    if (this.open) this.ws?.send(text);
  }

  /** Intentional close: no onLost. */
  close(): void {
    this.closedByUs = true;
    this.stopWatchdog();
    const ws = this.ws;
    if (!ws) return;
    if (ws.readyState === WebSocket.OPEN) ws.close(1000, 'bye');
    else ws.terminate();
  }

  private reportLost(why: string, cause: SocketLostCause): void {
    if (this.closedByUs || this.lostReported) return;
    this.lostReported = true;
    this.options.onLost(why, cause);
  }

  private startWatchdog(): void {
    const tick = Math.max(20, Math.min(1000, Math.floor(Math.min(this.options.heartbeatTimeoutMs, this.options.pingTimeoutMs) / 4)));
    this.watchdog = setInterval(() => this.check(), tick);
    this.watchdog.unref();
  }

  private stopWatchdog(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = undefined;
  }

  private check(): void {
    const now = Date.now();
    if (this.pingSentAt !== undefined) {
      if (now - this.pingSentAt >= this.options.pingTimeoutMs) {
        this.stopWatchdog();
        this.ws?.terminate();
        this.reportLost(`no heartbeat for ${now - this.lastFrameAt} ms and no pong`, 'no-pong');
      }
      return;
    }
    if (now - this.lastFrameAt >= this.options.heartbeatTimeoutMs) {
      this.pingSentAt = now;
      this.options.onSilent?.(this.lastFrameAt);
      this.send(JSON.stringify({ message: 'ping' }));
    }
  }
}
