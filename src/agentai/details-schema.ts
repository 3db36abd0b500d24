// The Conversation Details and Summary API's answer (seed: kore-conversation-details-summary-api.txt,
// facts.md 1.5). It is untrusted JSON from a remote service, so it is parsed, never cast. Only the fields the
// bridge reads are declared and every one of them is lenient (optional, nullable, unknown keys kept), because
// the sample response is all the documentation there is and the real service may add or drop fields.
import { z } from 'zod';

const optString = z.string().nullish();

const componentSchema = z.looseObject({
  _id: optString,
  cT: optString,
  data: z.looseObject({ text: z.unknown().optional() }).nullish(),
});

export const historyMessageSchema = z.looseObject({
  type: optString,
  status: optString,
  createdOn: optString,
  createdBy: optString,
  timestampValue: z.number().nullish(),
  tN: optString,
  lang: optString,
  components: z.array(componentSchema).nullish(),
});

export const conversationDetailsSchema = z.looseObject({
  conversationInfo: z
    .looseObject({
      userId: optString,
      callId: optString,
      sessionId: optString,
      sessionStartTime: optString,
      agentHandOffTime: optString,
      currentTask: optString,
    })
    .nullish(),
  conversationFlow: z.array(z.looseObject({ status: optString, taskName: optString })).nullish(),
  conversationHistory: z.array(historyMessageSchema).nullish(),
  summary: z.looseObject({ ConversationSummary: z.string().nullish(), time: optString }).nullish(),
});

export type HistoryMessage = z.output<typeof historyMessageSchema>;
export type ConversationDetails = z.output<typeof conversationDetailsSchema>;

/** The request body. The seed names `skip/offset`; the bridge sends `skip`. */
export interface ConversationDetailsRequest {
  readonly conversationId: string;
  readonly isSummaryRequired: boolean;
  readonly lang?: string;
  readonly skip?: number;
  readonly limit?: number;
}

/** The summary text, or undefined while Agent AI has none yet (no summary object, or an empty text). */
export function summaryText(details: ConversationDetails): string | undefined {
  const text = details.summary?.ConversationSummary;
  return typeof text === 'string' && text.trim() !== '' ? text : undefined;
}

/** The readable text of one history message: its text components joined, other components named by type. */
export function messageText(message: HistoryMessage): string {
  const parts: string[] = [];
  for (const c of message.components ?? []) {
    const text = c.data?.text;
    if (typeof text === 'string') parts.push(text);
    else if (text !== undefined && text !== null) parts.push(JSON.stringify(text));
    else parts.push(`[${c.cT ?? 'component'}]`);
  }
  return parts.join(' ');
}
