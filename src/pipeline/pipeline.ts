// The transform stage's runtime: each fact (or timer tick) is applied to its conversation's sequencer inside
// one store transaction, and the intents it produces become outbox rows. Delivery is told afterwards.
import type { Logger } from 'pino';
import type { FactSink, IngestOutcome } from '../core/adapter.js';
import type { Fact } from '../core/facts.js';
import type { Intent } from '../core/intents.js';
import {
  initialState,
  isClosed,
  openRedialWindow,
  step,
  type ConversationState,
  type SequencerInput,
  type SequencerSettings,
  type StepResult,
} from '../core/sequencer.js';
import { buildHookBody, describeIntent, type WireOptions } from '../agentai/bodies.js';
import { chooseBot, type Bot } from '../config/bots.js';
import type { BridgeMetrics } from '../observability/metrics.js';
import type { ConversationRecord, IngestPlan, NewOutboxRow, Store } from '../store/types.js';
import { redialKeys, type RedialMatch } from './redial-keys.js';

export interface PipelineOptions {
  readonly store: Store;
  readonly bots: readonly Bot[];
  /** Defaults for every conversation; `summary` may be overridden per bot. */
  readonly sequencer: SequencerSettings;
  readonly wire: WireOptions;
  readonly redialMatch: RedialMatch;
  readonly logger: Logger;
  readonly metrics?: BridgeMetrics;
  /** Called after a commit that queued hook calls for a conversation. */
  readonly onOutbox: (conversationId: string) => void;
}

export class Pipeline implements FactSink {
  private readonly bots: ReadonlyMap<string, Bot>;

  constructor(private readonly options: PipelineOptions) {
    this.bots = new Map(options.bots.map((b) => [b.name, b]));
  }

  async ingest(fact: Fact): Promise<IngestOutcome> {
    const { store, metrics } = this.options;
    metrics?.factsIn.inc({ adapter: fact.source, type: fact.type });
    let ignored: string | undefined;
    let continued: string | undefined;
    const result = store.ingest(fact.dedupeKey, fact.conversationId, fact.at, (reader) => {
      let conversation = reader.conversationFor(fact.conversationId);
      let alias: string | undefined;
      if (!conversation && fact.type === 'agent.joined' && fact.direction === 'outbound') {
        conversation = reader.findRedial(redialKeys(fact.customer, this.options.redialMatch), fact.at);
        if (conversation) alias = continued = conversation.id;
      }
      conversation ??= this.newConversation(fact);
      const r = this.step(conversation, fact);
      ignored = r.ignored;
      return this.plan(conversation, r, fact.at, alias);
    });
    if (result.kind === 'duplicate') {
      metrics?.factsDuplicate.inc({ adapter: fact.source });
      this.options.logger.debug({ conversationId: fact.conversationId, dedupeKey: fact.dedupeKey, fact: fact.type }, 'duplicate fact skipped');
      return 'duplicate';
    }
    const conversationId = result.plan.conversation.id;
    if (continued) {
      this.options.logger.info(
        { conversationId, platformConversationId: fact.conversationId },
        'new conversation continues a dropped one (redial): its events go to the original conversationId',
      );
    }
    if (ignored) {
      metrics?.factsIgnored.inc({ reason: ignored });
      this.options.logger.info({ conversationId, fact: fact.type, dedupeKey: fact.dedupeKey, reason: ignored }, `fact ignored: ${ignored}`);
    }
    this.afterCommit(result.plan, fact.type);
    return ignored ? 'ignored' : 'accepted';
  }

  /** Fires every timer due at or before `now`, each at its own deadline. Returns how many fired. */
  fireDue(now: number): number {
    let fired = 0;
    for (const { id, wakeAt } of this.options.store.dueConversations(now)) {
      const plan = this.options.store.tick(id, (conversation) => {
        if (conversation.state.wakeAt === undefined || conversation.state.wakeAt > now) return undefined;
        return this.plan(conversation, this.step(conversation, { type: 'timer', at: wakeAt }), wakeAt, undefined);
      });
      if (plan) {
        fired += 1;
        this.afterCommit(plan, 'timer');
      }
    }
    return fired;
  }

  nextWake(): number | undefined {
    return this.options.store.nextWake();
  }

  private newConversation(fact: Fact): ConversationRecord {
    const queueName = fact.type === 'agent.joined' ? fact.agent.queueName : undefined;
    const bot = chooseBot(this.options.bots, {
      source: fact.source,
      ...(fact.queueId ? { queueId: fact.queueId } : {}),
      ...(queueName ? { queueName } : {}),
      ...(fact.domain ? { domain: fact.domain } : {}),
    });
    if (!bot) throw new Error('no Agent AI bot is configured');
    return { id: fact.conversationId, bot: bot.name, source: fact.source, state: initialState() };
  }

  private botOf(conversation: ConversationRecord): Bot {
    const bot = this.bots.get(conversation.bot) ?? chooseBot(this.options.bots, { source: conversation.source });
    if (!bot) throw new Error('no Agent AI bot is configured');
    return bot;
  }

  private step(conversation: ConversationRecord, input: SequencerInput): StepResult {
    const bot = this.botOf(conversation);
    const settings = bot.summary === undefined ? this.options.sequencer : { ...this.options.sequencer, summary: bot.summary };
    return step(conversation.state, input, settings);
  }

  private plan(conversation: ConversationRecord, r: StepResult, at: number, alias: string | undefined): IngestPlan {
    const bot = this.botOf(conversation);
    const outbox = r.intents.map((intent) => this.outboxRow(conversation, bot, intent, at));
    return {
      conversation: { ...conversation, state: r.state },
      ...(r.state.wakeAt !== undefined ? { wakeAt: r.state.wakeAt } : {}),
      ...(r.state.closedAt !== undefined && isClosed(r.state) ? { closedAt: r.state.closedAt } : {}),
      outbox,
      ...(alias ? { alias } : {}),
      ...this.redialIndex(r.state),
    };
  }

  private redialIndex(state: ConversationState): Pick<IngestPlan, 'redial'> {
    if (isClosed(state)) return { redial: 'clear' };
    const window = openRedialWindow(state);
    const keys = redialKeys(state.customer, this.options.redialMatch);
    return window && keys.length ? { redial: { keys, until: window.until } } : {};
  }

  private outboxRow(conversation: ConversationRecord, bot: Bot, intent: Intent, factAt: number): NewOutboxRow {
    const body = buildHookBody(intent, { conversationId: conversation.id, botId: bot.botId, source: conversation.source }, this.options.wire);
    return { kind: intent.kind, label: describeIntent(intent), body, factAt };
  }

  private afterCommit(plan: IngestPlan, cause: string): void {
    const conversationId = plan.conversation.id;
    for (const row of plan.outbox) {
      this.options.logger.info({ conversationId, event: row.label, cause }, `queued ${row.label}`);
    }
    if (plan.closedAt !== undefined && plan.outbox.some((r) => r.kind === 'end')) {
      this.options.logger.info({ conversationId }, 'conversation closed');
    }
    if (plan.outbox.length) this.options.onOutbox(conversationId);
  }
}
