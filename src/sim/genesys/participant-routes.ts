// The org's REST routes that write on a participant, as the summary write-back calls them through the SDK:
//   PATCH /api/v2/conversations/{id}/participants/{pid}/attributes          {attributes: {k: v}} merged, 202
//   GET   /api/v2/conversations/{id}/participants/{pid}/wrapup              the participant's wrap-up (404: none yet)
//   POST  /api/v2/conversations/{calls|callbacks|emails|messages}/{id}/participants/{pid}/communications/{cid}/wrapup
//         {code, notes?, tags?, durationSeconds?, endTime?} replaces the wrap-up, 202
// Bodies are validated (400 with Genesys' error body), unknown conversation, participant or communication ids
// answer 404. The server authenticates before it gets here.
import { z } from 'zod';
import type { SimOrg } from './org.js';
import { wrapupView, type WrapupMedia } from './participant-data.js';

export interface RouteAnswer {
  readonly status: number;
  /** undefined: an empty body. */
  readonly body?: unknown;
}

export interface ParticipantRouteCounters {
  attributePatches: number;
  wrapupGets: number;
  wrapupPosts: number;
}

const MEDIA: readonly WrapupMedia[] = ['calls', 'callbacks', 'emails', 'messages'];
const attributesBody = z.object({ attributes: z.record(z.string(), z.string()) });
const wrapupBody = z.object({
  code: z.string().min(1),
  notes: z.string().optional(),
  tags: z.array(z.string()).optional(),
  durationSeconds: z.number().int().nonnegative().optional(),
  endTime: z.string().optional(),
});

const ATTRIBUTES = /^\/api\/v2\/conversations\/([^/]+)\/participants\/([^/]+)\/attributes$/;
const WRAPUP = /^\/api\/v2\/conversations\/([^/]+)\/participants\/([^/]+)\/wrapup$/;
const COMMUNICATION_WRAPUP = /^\/api\/v2\/conversations\/(calls|callbacks|emails|messages)\/([^/]+)\/participants\/([^/]+)\/communications\/([^/]+)\/wrapup$/;

const notFound = (what: string): RouteAnswer => ({ status: 404, body: { message: `${what} not found`, code: 'not.found', status: 404 } });

function badRequest(error: z.ZodError): RouteAnswer {
  const message = error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
  return { status: 400, body: { message, code: 'bad.request', status: 400 } };
}

function segment(value: string | undefined): string {
  return decodeURIComponent(value ?? '');
}

/** The answer to a participant write route; undefined when `method path` is not one of them. */
export function participantRoute(org: SimOrg, counters: ParticipantRouteCounters, method: string, path: string, body: unknown): RouteAnswer | undefined {
  let m: RegExpExecArray | null;
  if (method === 'PATCH' && (m = ATTRIBUTES.exec(path))) {
    counters.attributePatches += 1;
    const parsed = attributesBody.safeParse(body);
    if (!parsed.success) return badRequest(parsed.error);
    return org.patchParticipantAttributes(segment(m[1]), segment(m[2]), parsed.data.attributes) ? { status: 202 } : notFound('participant');
  }
  if (method === 'GET' && (m = WRAPUP.exec(path))) {
    counters.wrapupGets += 1;
    const [conversationId, participantId] = [segment(m[1]), segment(m[2])];
    if (!org.participant(conversationId, participantId)) return notFound('participant');
    const wrapup = org.participantWrapup(conversationId, participantId);
    return wrapup ? { status: 200, body: wrapupView(wrapup) } : notFound('wrap-up');
  }
  if (method === 'POST' && (m = COMMUNICATION_WRAPUP.exec(path))) {
    counters.wrapupPosts += 1;
    const parsed = wrapupBody.safeParse(body);
    if (!parsed.success) return badRequest(parsed.error);
    const [, mediaSegment, conversationId, participantId, communicationId] = m;
    const media = MEDIA.find((x) => x === mediaSegment);
    if (!media) return notFound('media');
    const { code, notes, tags, durationSeconds, endTime } = parsed.data;
    const wrapup = {
      code,
      ...(notes !== undefined ? { notes } : {}),
      ...(tags !== undefined ? { tags } : {}),
      ...(durationSeconds !== undefined ? { durationSeconds } : {}),
      ...(endTime !== undefined ? { endTime } : {}),
      media,
      communicationId: segment(communicationId),
    };
    return org.setParticipantWrapup(segment(conversationId), segment(participantId), wrapup) ? { status: 202 } : notFound('communication');
  }
  return undefined;
}
