// A scenario the simulated org plays: timed steps, each a notification (topic + event body) and,
// for digital conversations, the message texts the org must hold by the time the ids appear. Scripts come
// from recorded/fixture JSONL (the same frames `replay` reads, so live and replay expect the same hooks)
// or from the scenario builder (scenarios.ts). Times are re-based when played: see rebase().

export interface SimMessage {
  readonly id: string;
  readonly direction: 'inbound' | 'outbound';
  readonly text: string;
  /** ISO time, re-based like the step. */
  readonly timestamp: string;
}

export interface SimStep {
  /** Milliseconds after the script's start, in scenario time. */
  readonly offsetMs: number;
  readonly topic: string;
  readonly body: Record<string, unknown>;
  /** Human description for the demo's timeline ("agent Alice connected"). */
  readonly note?: string;
  readonly messages?: readonly SimMessage[];
}

export interface SimScript {
  readonly name: string;
  /** Epoch ms the step offsets count from (the scenario's own clock). */
  readonly startMs: number;
  readonly steps: readonly SimStep[];
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Latest instant a payload speaks of: every ISO string, plus transcription's session-relative offsets. */
export function latestTime(value: unknown): number | undefined {
  let latest: number | undefined;
  const visit = (v: unknown, key: string): void => {
    if (typeof v === 'string' && ISO.test(v)) {
      const t = Date.parse(v);
      if (latest === undefined || t > latest) latest = t;
    } else if (Array.isArray(v)) {
      for (const item of v) visit(item, key);
    } else if (isRecord(v)) {
      for (const [k, child] of Object.entries(v)) visit(child, k);
    } else if (typeof v === 'number' && key.endsWith('TimeMs') && v > 1e12) {
      if (latest === undefined || v > latest) latest = v;
    }
  };
  visit(value, '');
  return latest;
}

/** Frames as the socket delivered them (one JSON a line) → a script. Control frames are dropped: the
 * simulator makes its own heartbeats. A frame older than its predecessor (a late copy) keeps its place. */
export function scriptFromJsonl(name: string, text: string): SimScript {
  const events: { topic: string; body: Record<string, unknown>; time: number | undefined }[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const parsed: unknown = JSON.parse(line);
    if (!isRecord(parsed) || typeof parsed.topicName !== 'string' || !isRecord(parsed.eventBody)) continue;
    if (parsed.topicName === 'channel.metadata' || parsed.topicName.startsWith('v2.system.')) continue;
    events.push({ topic: parsed.topicName, body: parsed.eventBody, time: latestTime(parsed.eventBody) });
  }
  const startMs = Math.min(...events.map((e) => e.time ?? Infinity));
  let offset = 0;
  const steps = events.map((e) => {
    offset = Math.max(offset, (e.time ?? startMs) - startMs);
    return { offsetMs: offset, topic: e.topic, body: e.body };
  });
  return { name, startMs: Number.isFinite(startMs) ? startMs : 0, steps };
}

/**
 * Moves a payload from scenario time to play time: instant t → base + (t - start) / speed. Every ISO
 * string and every epoch-ms `...TimeMs` field moves; durations within transcripts (`offsetMs`, `durationMs`)
 * shrink by the same speed. Played at speed 1 with base = start, the payload is unchanged.
 */
export function rebase<T>(value: T, startMs: number, baseMs: number, speed: number): T {
  const at = (t: number): number => Math.round(baseMs + (t - startMs) / speed);
  const visit = (v: unknown, key: string): unknown => {
    if (typeof v === 'string' && ISO.test(v)) return new Date(at(Date.parse(v))).toISOString();
    if (Array.isArray(v)) return v.map((item) => visit(item, key));
    if (isRecord(v)) return Object.fromEntries(Object.entries(v).map(([k, child]) => [k, visit(child, k)]));
    if (typeof v === 'number') {
      if (key.endsWith('TimeMs') && v > 1e12) return at(v);
      if (key === 'offsetMs' || key === 'durationMs') return Math.round(v / speed);
    }
    return v;
  };
  return visit(value, '') as T;
}

/** The script's last step offset (scenario ms). */
export function scriptLengthMs(script: SimScript): number {
  return script.steps.reduce((m, s) => Math.max(m, s.offsetMs), 0);
}
