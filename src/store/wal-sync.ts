// Durability for the SQLite store at BRIDGE_STORE_SYNC=full without blocking the event loop. SQLite's own
// synchronous=FULL fsyncs the WAL inside every COMMIT, on the event loop: each commit then stalls ingest and
// delivery alike for the disk's flush time (milliseconds). Instead the connection runs at synchronous=NORMAL
// (WAL frames are written at COMMIT, consistency on a crash is SQLite's), and the store calls `durable()` after
// each commit: it resolves once an fdatasync of the WAL file, run on libuv's thread pool, has completed after
// that commit was written, so the commit is on disk exactly as FULL would have left it. Nothing is acknowledged
// before that. Commits that arrive while a flush runs share the next one, and the WAL is append-only, so a
// flush covers every commit written before it started: durability is a prefix, as with FULL.
import { closeSync, fdatasync, openSync } from 'node:fs';
import { StoreError } from './errors.js';

interface Waiter {
  readonly upTo: number;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

export class WalSync {
  private written = 0;
  private flushing = false;
  private closing = false;
  private closed = false;
  private waiters: Waiter[] = [];

  private constructor(private readonly fd: number) {}

  /** Opens the WAL file of a database already in WAL mode; undefined if there is none (':memory:'). */
  static open(walPath: string): WalSync | undefined {
    try {
      return new WalSync(openSync(walPath, 'r'));
    } catch {
      return undefined;
    }
  }

  /** Resolves once everything committed before this call is on disk. */
  durable(): Promise<void> {
    const upTo = ++this.written;
    return new Promise((resolve, reject) => {
      if (this.closing) {
        reject(new StoreError('STORE_CLOSED', 'the store is closed: nothing more can be made durable'));
        return;
      }
      this.waiters.push({ upTo, resolve, reject });
      this.flush();
    });
  }

  /** Closes the file once the flush under way, if any, has finished. */
  close(): void {
    this.closing = true;
    if (!this.flushing) this.closeFile();
  }

  private closeFile(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
    const left = this.waiters;
    this.waiters = [];
    for (const w of left) w.reject(new StoreError('STORE_CLOSED', 'the store closed before this commit was flushed'));
  }

  private flush(): void {
    if (this.flushing || this.waiters.length === 0 || this.closing) return;
    this.flushing = true;
    const covers = this.written;
    fdatasync(this.fd, (err) => {
      this.flushing = false;
      const done = this.waiters.filter((w) => w.upTo <= covers);
      this.waiters = this.waiters.filter((w) => w.upTo > covers);
      for (const w of done) {
        if (err) w.reject(new StoreError('STORE_SYNC_FAILED', `the store's write-ahead log could not be flushed to disk: ${err.message}`));
        else w.resolve();
      }
      if (this.closing) this.closeFile();
      else this.flush();
    });
  }
}
