// The websocket envelope. Two families share the socket: topic events `{topicName, version, eventBody,
// metadata}` (including the system topics `channel.metadata` and `v2.system.socket_closing`) and replies to
// socket commands `{result, status, message, correlationId}` (subscribe results, 404 channel gone).
import { z } from 'zod';
import { BridgeError } from '../../src/errors.js';
import type { ControlEvent } from './frame-result.js';
import { withDefined } from './compact.js';
import { optString } from './lenient.js';

export class MalformedFrameError extends BridgeError {
  /** The start of the offending text, for logs. */
  readonly excerpt: string;

  constructor(message: string, raw: string, options?: { cause?: unknown }) {
    super('GENESYS_MALFORMED_FRAME', message, options);
    this.name = 'MalformedFrameError';
    this.excerpt = raw.length > 200 ? `${raw.slice(0, 200)}…` : raw;
  }
}

const TopicEnvelopeSchema = z.object({
  topicName: z.string().min(1),
  version: z.union([z.string(), z.number()]).optional().catch(undefined),
  eventBody: z.unknown().optional(),
  metadata: z.object({ CorrelationId: optString }).optional().catch(undefined),
});

const ResultEnvelopeSchema = z.object({
  // koodaamo's client sees strings ("200"); accept numbers too rather than reject a whole reply.
  result: z.union([z.string().min(1), z.number()]).transform(String),
  status: optString,
  message: optString,
  correlationId: optString,
});

const MetadataBodySchema = z.object({ message: optString }).catch({ message: undefined });

const SocketClosingBodySchema = z
  .object({ channelId: optString, message: optString, reason: optString })
  .catch({ channelId: undefined, message: undefined, reason: undefined });

export type TopicEnvelope = z.output<typeof TopicEnvelopeSchema>;
export type Envelope =
  | { readonly kind: 'topic'; readonly envelope: TopicEnvelope }
  | { readonly kind: 'control'; readonly event: ControlEvent };

/** @throws MalformedFrameError when the text is not JSON or is neither envelope family. */
export function parseEnvelope(raw: string): Envelope {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new MalformedFrameError(`Genesys frame is not JSON: ${describe(error)}`, raw, { cause: error });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new MalformedFrameError('Genesys frame is not a JSON object', raw);
  }
  if ('topicName' in json) {
    const parsed = TopicEnvelopeSchema.safeParse(json);
    if (!parsed.success) {
      throw new MalformedFrameError(`Genesys frame envelope is invalid: ${z.prettifyError(parsed.error)}`, raw);
    }
    return { kind: 'topic', envelope: parsed.data };
  }
  if ('result' in json) {
    const parsed = ResultEnvelopeSchema.safeParse(json);
    if (!parsed.success) {
      throw new MalformedFrameError(`Genesys socket reply is invalid: ${z.prettifyError(parsed.error)}`, raw);
    }
    return { kind: 'control', event: resultEvent(parsed.data) };
  }
  throw new MalformedFrameError('Genesys frame has neither "topicName" nor "result"', raw);
}

function resultEvent(reply: z.output<typeof ResultEnvelopeSchema>): ControlEvent {
  if (reply.result === '404') return withDefined({ kind: 'channel_gone' as const, message: reply.message });
  return withDefined({
    kind: 'subscribe_result' as const,
    ok: /^2\d\d$/.test(reply.result),
    result: reply.result,
    status: reply.status,
    message: reply.message,
    correlationId: reply.correlationId,
  });
}

/** `channel.metadata` carries both the heartbeat and the answer to our `{"message":"ping"}`. */
export function metadataEvent(eventBody: unknown): ControlEvent | undefined {
  const message = MetadataBodySchema.parse(eventBody).message?.trim() ?? '';
  if (/heartbeat/i.test(message)) return { kind: 'heartbeat' };
  if (/^pong$/i.test(message)) return { kind: 'pong' };
  return undefined;
}

export function socketClosingEvent(eventBody: unknown): ControlEvent {
  const body = SocketClosingBodySchema.parse(eventBody);
  return withDefined({ kind: 'socket_closing' as const, channelId: body.channelId, message: body.message ?? body.reason });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
