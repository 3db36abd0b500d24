// Writes an Agent AI summary back to Genesys Cloud, on the last agent's participant of the conversation
// (GET /api/v2/conversations/{id}: the last participant with purpose "agent" and that user id). Two
// documented places, chosen by config summary.writeBack (SUMMARY_WRITE_BACK):
//   attribute (default): PATCH /api/v2/conversations/{id}/participants/{pid}/attributes
//     (ConversationsApi.patchConversationParticipantAttributes), one key (summary.attributeName). Media
//     independent, needs no wrap-up code, and sets only the keys sent, so other attributes stay as they are.
//   wrapup: wrap-up notes via POST /api/v2/conversations/{media}s/{id}/participants/{pid}/communications/{cid}/wrapup
//     (postConversations{Call,Callback,Email,Message}ParticipantCommunicationWrapup), keeping the agent's wrap-up
//     code (or summary.wrapupCodeId) and appending to the agent's own notes rather than replacing them. Genesys
//     ties wrap-up to the agent's after-call work, so a server-side write can be refused once the agent has
//     wrapped up; that is why it is not the default.
// Idempotent: it reads first and answers 'unchanged' when the summary is already there.
import type platformClient from 'purecloud-platform-client-v2';
import { z } from 'zod';
import { genesysSdk } from './sdk-module.js';
import { SummaryWriteError, type SummaryWriter, type SummaryWriteRequest } from '../../src/summary/writer.js';
import { BridgeError } from '../../src/errors.js';

export type GenesysWriteBackMode = 'attribute' | 'wrapup' | 'both';

export interface WrapupBody {
  code?: string;
  notes?: string;
}

/**
 * The slice of the SDK's ConversationsApi this module calls; `new platformClient.ConversationsApi(apiClient)`
 * fits it as is. Results are parsed, never trusted (they may also be the SDK's extended responses).
 */
export interface GenesysConversationsPort {
  getConversation(conversationId: string): Promise<unknown>;
  patchConversationParticipantAttributes(conversationId: string, participantId: string, body: { attributes?: { [key: string]: string } }): Promise<unknown>;
  getConversationParticipantWrapup(conversationId: string, participantId: string, opts?: { provisional?: boolean }): Promise<unknown>;
  postConversationsCallParticipantCommunicationWrapup(conversationId: string, participantId: string, communicationId: string, opts?: { body?: WrapupBody }): Promise<unknown>;
  postConversationsCallbackParticipantCommunicationWrapup(conversationId: string, participantId: string, communicationId: string, opts?: { body?: WrapupBody }): Promise<unknown>;
  postConversationsEmailParticipantCommunicationWrapup(conversationId: string, participantId: string, communicationId: string, opts?: { body?: WrapupBody }): Promise<unknown>;
  postConversationsMessageParticipantCommunicationWrapup(conversationId: string, participantId: string, communicationId: string, opts?: { body?: WrapupBody }): Promise<unknown>;
}

export interface GenesysSummaryWriterOptions {
  readonly conversations: GenesysConversationsPort;
  readonly mode: GenesysWriteBackMode;
  /** Participant attribute key (config summary.attributeName). */
  readonly attributeName: string;
  /** Wrap-up code id used when the agent has none assigned (config summary.wrapupCodeId); empty: none. */
  readonly wrapupCodeId?: string;
}

const communication = z.object({ id: z.string().optional() }).loose();
const participantSchema = z
  .object({
    id: z.string(),
    purpose: z.string().optional(),
    userId: z.string().optional(),
    user: z.object({ id: z.string().optional() }).loose().optional(),
    attributes: z.record(z.string(), z.unknown()).optional().catch(undefined),
    calls: z.array(communication).optional().catch(undefined),
    callbacks: z.array(communication).optional().catch(undefined),
    emails: z.array(communication).optional().catch(undefined),
    messages: z.array(communication).optional().catch(undefined),
  })
  .loose();
const conversationSchema = z.object({ id: z.string().optional(), participants: z.array(z.unknown()).default([]) }).loose();
const wrapupSchema = z.object({ code: z.string().optional(), notes: z.string().optional() }).loose();

type Participant = z.output<typeof participantSchema>;
type Media = 'call' | 'callback' | 'email' | 'message';

export class GenesysSummaryWriter implements SummaryWriter {
  readonly #opts: GenesysSummaryWriterOptions;

  constructor(opts: GenesysSummaryWriterOptions) {
    if (opts.attributeName.trim() === '' && opts.mode !== 'wrapup') throw new BridgeError('CONFIG_INVALID', 'summary attributeName must not be empty');
    this.#opts = opts;
  }

  async write(req: SummaryWriteRequest): Promise<'written' | 'unchanged'> {
    const participant = await this.#agentParticipant(req.platformConversationId, req.agentIdentity);
    const results: Array<'written' | 'unchanged'> = [];
    if (this.#opts.mode === 'attribute' || this.#opts.mode === 'both') results.push(await this.#writeAttribute(req, participant));
    if (this.#opts.mode === 'wrapup' || this.#opts.mode === 'both') results.push(await this.#writeWrapup(req, participant));
    return results.includes('written') ? 'written' : 'unchanged';
  }

  async #agentParticipant(conversationId: string, agentIdentity: string): Promise<Participant> {
    const raw = await call(`GET conversation ${conversationId}`, () => this.#opts.conversations.getConversation(conversationId), true);
    const conversation = conversationSchema.safeParse(unwrap(raw));
    if (!conversation.success) throw new SummaryWriteError(`GET conversation ${conversationId}: unexpected answer`, false);
    const participants = conversation.data.participants.flatMap((p) => {
      const parsed = participantSchema.safeParse(p);
      return parsed.success ? [parsed.data] : [];
    });
    // The adapter's identity is the user id, or the participant id when Genesys gave no user.
    const mine = participants.filter(
      (p) => p.purpose === 'agent' && (p.userId === agentIdentity || p.user?.id === agentIdentity || p.id === agentIdentity),
    );
    const last = mine[mine.length - 1];
    if (!last) throw new SummaryWriteError(`no agent participant for ${agentIdentity} in conversation ${conversationId}`, false, true);
    return last;
  }

  async #writeAttribute(req: SummaryWriteRequest, participant: Participant): Promise<'written' | 'unchanged'> {
    const key = this.#opts.attributeName;
    if (participant.attributes?.[key] === req.summary) return 'unchanged';
    await call(`PATCH attributes of participant ${participant.id}`, () =>
      this.#opts.conversations.patchConversationParticipantAttributes(req.platformConversationId, participant.id, { attributes: { [key]: req.summary } }),
    );
    return 'written';
  }

  async #writeWrapup(req: SummaryWriteRequest, participant: Participant): Promise<'written' | 'unchanged'> {
    const conversations = this.#opts.conversations;
    const raw = await call(`GET wrap-up of participant ${participant.id}`, () =>
      conversations.getConversationParticipantWrapup(req.platformConversationId, participant.id, { provisional: false }),
    ).catch((err: unknown) => {
      // No wrap-up yet answers 404 on some orgs: treat it as empty.
      if (err instanceof GenesysCallError && err.status === 404) return {};
      throw err;
    });
    const current = wrapupSchema.safeParse(unwrap(raw) ?? {});
    const existing = current.success ? current.data : {};
    if (existing.notes?.includes(req.summary)) return 'unchanged';
    const code = existing.code || this.#opts.wrapupCodeId || undefined;
    if (!code) throw new SummaryWriteError(`participant ${participant.id} has no wrap-up code and summary.wrapupCodeId is empty`, false);
    const target = lastCommunication(participant);
    if (!target) throw new SummaryWriteError(`participant ${participant.id} has no call, callback, email or message communication`, false);
    const notes = existing.notes ? `${existing.notes}\n\n${req.summary}` : req.summary;
    const args = [req.platformConversationId, participant.id, target.id, { body: { code, notes } }] as const;
    const post = {
      call: () => conversations.postConversationsCallParticipantCommunicationWrapup(...args),
      callback: () => conversations.postConversationsCallbackParticipantCommunicationWrapup(...args),
      email: () => conversations.postConversationsEmailParticipantCommunicationWrapup(...args),
      message: () => conversations.postConversationsMessageParticipantCommunicationWrapup(...args),
    }[target.media];
    await call(`POST ${target.media} wrap-up of participant ${participant.id}`, post);
    return 'written';
  }
}

type SdkClient = typeof platformClient.ApiClient;

/**
 * Builds the writer on an authenticated SDK ApiClient (the Genesys adapter's), or on a function giving it: the
 * SDK's ConversationsApi (and with it the SDK) is then only built at the first write.
 */
export function createGenesysSummaryWriter(
  apiClient: SdkClient | (() => SdkClient),
  options: Omit<GenesysSummaryWriterOptions, 'conversations'>,
): GenesysSummaryWriter {
  let api: GenesysConversationsPort | undefined;
  const sdk = (): GenesysConversationsPort => (api ??= new (genesysSdk().ConversationsApi)(typeof apiClient === 'function' ? apiClient() : apiClient));
  const conversations: GenesysConversationsPort = {
    getConversation: (...a) => sdk().getConversation(...a),
    patchConversationParticipantAttributes: (...a) => sdk().patchConversationParticipantAttributes(...a),
    getConversationParticipantWrapup: (...a) => sdk().getConversationParticipantWrapup(...a),
    postConversationsCallParticipantCommunicationWrapup: (...a) => sdk().postConversationsCallParticipantCommunicationWrapup(...a),
    postConversationsCallbackParticipantCommunicationWrapup: (...a) => sdk().postConversationsCallbackParticipantCommunicationWrapup(...a),
    postConversationsEmailParticipantCommunicationWrapup: (...a) => sdk().postConversationsEmailParticipantCommunicationWrapup(...a),
    postConversationsMessageParticipantCommunicationWrapup: (...a) => sdk().postConversationsMessageParticipantCommunicationWrapup(...a),
  };
  return new GenesysSummaryWriter({ ...options, conversations });
}

function lastCommunication(p: Participant): { media: Media; id: string } | undefined {
  const lists: Array<[Media, Array<{ id?: string | undefined }> | undefined]> = [
    ['call', p.calls],
    ['callback', p.callbacks],
    ['email', p.emails],
    ['message', p.messages],
  ];
  for (const [media, list] of lists) {
    const last = list?.filter((c) => c.id).at(-1);
    if (last?.id) return { media, id: last.id };
  }
  return undefined;
}

/** The SDK resolves with the body, or with {status, headers, body} when extended responses are on. */
function unwrap(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && 'body' in value && 'status' in value && typeof value.status === 'number') return value.body;
  return value;
}

class GenesysCallError extends SummaryWriteError {
  constructor(
    message: string,
    retryable: boolean,
    readonly status: number | undefined,
    notFound = false,
  ) {
    super(message, retryable, notFound);
  }
}

/** Runs one SDK call; a rejection becomes a SummaryWriteError that says whether a retry can help. */
async function call(what: string, fn: () => Promise<unknown>, notFoundMeansElsewhere = false): Promise<unknown> {
  try {
    return await fn();
  } catch (err) {
    const status = statusOf(err);
    const retryable = status === undefined || status === 408 || status === 429 || status >= 500;
    const message = `${what}: ${status !== undefined ? `HTTP ${status}` : 'failed'}${messageOf(err)}`;
    throw new GenesysCallError(message, retryable, status, notFoundMeansElsewhere && status === 404);
  }
}

const errorBody = z.object({ status: z.number().optional(), code: z.string().optional(), message: z.string().optional() }).loose();

function statusOf(err: unknown): number | undefined {
  const parsed = errorBody.safeParse(err);
  if (parsed.success && parsed.data.status !== undefined) return parsed.data.status;
  // axios-style errors (transport) carry response.status
  if (typeof err === 'object' && err !== null && 'response' in err) {
    const r = errorBody.safeParse((err as { response: unknown }).response);
    if (r.success) return r.data.status;
  }
  return undefined;
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return `: ${err.message}`;
  const parsed = errorBody.safeParse(err);
  if (parsed.success) {
    const inner = errorBody.safeParse(parsed.data['body']);
    const m = parsed.data.message ?? (inner.success ? inner.data.message : undefined);
    return m ? `: ${m}` : '';
  }
  return typeof err === 'string' ? `: ${err}` : '';
}
