// One JSON POST through an undici dispatcher, reporting whether the request had been handed to the socket
// when it failed. That bit is what separates "safe to resend" from "Agent AI may already have it", and
// undici's request() API hides it: only the (legacy-style) handler's onRequestSent callback exposes it.
import type { Dispatcher } from 'undici';

export type PostResult =
  | { readonly kind: 'response'; readonly status: number; readonly headers: ReadonlyMap<string, string>; readonly text: string }
  | {
      readonly kind: 'error';
      readonly error: Error;
      /** The request (headers and body) was written to the socket before the failure. */
      readonly sent: boolean;
      /** Set when the failure came after the response status line (e.g. body timeout). */
      readonly status?: number;
      readonly headers?: ReadonlyMap<string, string>;
      readonly text?: string;
    };

export interface PostRequest {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** Response text beyond this is read and discarded: the connection is only reusable once drained. */
  readonly maxTextChars: number;
}

export function postJson(dispatcher: Dispatcher, req: PostRequest): Promise<PostResult> {
  return new Promise((resolve) => {
    const handler = new CollectingHandler(req.maxTextChars, resolve);
    try {
      dispatcher.dispatch(
        { method: 'POST', path: req.path, headers: { ...req.headers, 'content-type': 'application/json' }, body: req.body },
        handler,
      );
    } catch (err) {
      handler.onError(toError(err));
    }
  });
}

class CollectingHandler {
  #sent = false;
  #status: number | undefined;
  #headers: Map<string, string> | undefined;
  #chunks: Buffer[] = [];
  #kept = 0;
  #done = false;

  constructor(
    private readonly maxChars: number,
    private readonly resolve: (result: PostResult) => void,
  ) {}

  onConnect(): void {
    // A pipelined retry re-dispatches from scratch: forget what an earlier attempt wrote.
    this.#sent = false;
  }

  onRequestSent(): void {
    this.#sent = true;
  }

  onResponseStarted(): void {}

  onHeaders(statusCode: number, rawHeaders: Buffer[] | string[] | null): boolean {
    if (statusCode < 200) return true; // 1xx informational: the real answer follows
    this.#status = statusCode;
    this.#headers = parseRawHeaders(rawHeaders);
    // A response means the server read the request, whatever the socket did first.
    this.#sent = true;
    return true;
  }

  onData(chunk: Buffer): boolean {
    // Keep a bounded prefix (bytes bound chars from above) and let the rest drain.
    if (this.#kept < this.maxChars * 4) {
      this.#chunks.push(chunk);
      this.#kept += chunk.length;
    }
    return true;
  }

  onComplete(): void {
    if (this.#done) return;
    this.#done = true;
    this.resolve({ kind: 'response', status: this.#status ?? 0, headers: this.#headers ?? new Map(), text: this.#text() });
  }

  onError(error: Error): void {
    if (this.#done) return;
    this.#done = true;
    this.resolve(
      this.#status === undefined
        ? { kind: 'error', error, sent: this.#sent }
        : { kind: 'error', error, sent: true, status: this.#status, headers: this.#headers ?? new Map(), text: this.#text() },
    );
  }

  #text(): string {
    return Buffer.concat(this.#chunks).toString('utf8').slice(0, this.maxChars);
  }
}

function parseRawHeaders(raw: Buffer[] | string[] | null): Map<string, string> {
  const out = new Map<string, string>();
  if (!raw) return out;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = String(raw[i]).toLowerCase();
    const value = String(raw[i + 1]);
    const prev = out.get(name);
    out.set(name, prev === undefined ? value : `${prev}, ${value}`);
  }
  return out;
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
