// "The daemon never crashes on input": recorded frames with random fields replaced by wrong types, removed or
// truncated must either decode or be rejected as malformed, never throw anything else.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GenesysFrameProcessor, MalformedFrameError } from '../../adapters/genesys/frame-processor.js';
import { DEFAULT_WIRE_OPTIONS } from '../../src/agentai/bodies.js';
import { createLogger } from '../../src/observability/logger.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { settings } from '../core/fact-builders.js';
import { LineCollector } from '../helpers/harness.js';

const dir = fileURLToPath(new URL('../fixtures/genesys/', import.meta.url));
const recordings = readdirSync(dir)
  .filter((f) => f.endsWith('.jsonl'))
  .map((f) => readFileSync(`${dir}${f}`, 'utf8').split('\n').filter((l) => l.trim() !== ''));
const frames = recordings.flat();
/** Where each frame's recording starts in `frames`: a frame's history is its own recording's earlier frames. */
const recordingStart = recordings.flatMap((lines, r) => {
  const start = recordings.slice(0, r).reduce((n, l) => n + l.length, 0);
  return lines.map(() => start);
});

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path to a value inside a JSON document. */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries: [string | number, Json][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => paths(v, [...prefix, k]))];
}

function mutate(doc: Json, path: (string | number)[], replacement: Json | undefined): Json {
  if (path.length === 0) return replacement ?? null;
  const [head, ...rest] = path;
  if (Array.isArray(doc)) return doc.flatMap((v, i) => (i === head ? (rest.length || replacement !== undefined ? [mutate(v, rest, replacement)] : []) : [v]));
  if (doc !== null && typeof doc === 'object') {
    const out: { [k: string]: Json } = {};
    for (const [k, v] of Object.entries(doc)) {
      if (k !== head) out[k] = v;
      else if (rest.length || replacement !== undefined) out[k] = mutate(v, rest, replacement);
    }
    return out;
  }
  return doc;
}

const wrongValue: fc.Arbitrary<Json | undefined> = fc.oneof(
  fc.constant(undefined), // removed
  fc.constant(null),
  fc.integer(),
  fc.string(),
  fc.constant<Json>([]),
  fc.constant<Json>({}),
  fc.boolean(),
  fc.constant('2026-13-45T99:99:99Z'),
);

describe('genesys frame fuzz', () => {
  it('decodes or rejects as malformed any mutated frame, never throws anything else', () => {
    fc.assert(
      fc.property(fc.nat(frames.length - 1), fc.array(fc.tuple(fc.nat(), wrongValue), { minLength: 1, maxLength: 4 }), (index, edits) => {
        let doc = JSON.parse(frames[index] ?? '{}') as Json;
        for (const [pick, value] of edits) {
          const all = paths(doc);
          doc = mutate(doc, all[pick % all.length] ?? [], value);
        }
        const processor = new GenesysFrameProcessor({ now: () => 0 });
        // Prime it with the untouched history of its recording so the mutation hits a conversation it already
        // tracks (other recordings are other conversations: priming with them too only costs time).
        for (const line of frames.slice(recordingStart[index] ?? 0, index)) processor.process(line);
        try {
          processor.process(JSON.stringify(doc));
        } catch (err) {
          expect(err).toBeInstanceOf(MalformedFrameError);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('whatever a mutated frame decodes to, the pipeline applies it or ignores it without throwing', async () => {
    const bots = [{ name: 'default', botId: 'st', clientId: 'cs', clientSecret: 'secret', queueIds: [], queueNames: [], sources: [], domains: [], default: true }];
    await fc.assert(
      fc.asyncProperty(fc.nat(frames.length - 1), fc.array(fc.tuple(fc.nat(), wrongValue), { minLength: 1, maxLength: 4 }), async (index, edits) => {
        const store = openSqliteStore({ path: ':memory:' });
        const pipeline = new Pipeline({
          store, bots, sequencer: settings, wire: { ...DEFAULT_WIRE_OPTIONS }, redialMatch: 'address',
          logger: createLogger({ level: 'silent', destination: new LineCollector(), pretty: false }), onOutbox: () => undefined,
        });
        const processor = new GenesysFrameProcessor({ now: () => Date.parse('2026-05-04T10:00:00Z') });
        const feed = async (text: string): Promise<void> => {
          let facts;
          try {
            facts = processor.process(text).facts;
          } catch (err) {
            expect(err).toBeInstanceOf(MalformedFrameError);
            return;
          }
          for (const fact of facts) await pipeline.ingest(fact);
          await pipeline.fireDue(Number.MAX_SAFE_INTEGER);
        };
        let doc = JSON.parse(frames[index] ?? '{}') as Json;
        for (const [pick, value] of edits) {
          const all = paths(doc);
          doc = mutate(doc, all[pick % all.length] ?? [], value);
        }
        for (const line of frames.slice(Math.max(0, index - 6), index)) await feed(line);
        await feed(JSON.stringify(doc));
        for (const line of frames.slice(index + 1, index + 6)) await feed(line);
        await store.close();
      }),
      { numRuns: 300 },
    );
  });

  it('rejects truncated text as malformed', () => {
    fc.assert(
      fc.property(fc.nat(frames.length - 1), fc.nat(), (index, cut) => {
        const text = frames[index] ?? '';
        const processor = new GenesysFrameProcessor({ now: () => 0 });
        try {
          processor.process(text.slice(0, cut % text.length));
        } catch (err) {
          expect(err).toBeInstanceOf(MalformedFrameError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
