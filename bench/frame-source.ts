// The live workload of goal 2: Genesys frames at a fixed offered rate with current timestamps, published by the
// simulated org (src/sim/genesys) to whoever subscribed. `lanes` voice conversations run at once; lane l owns
// every frame slot n with n % lanes == l, so the offered rate is exactly `rate` whatever the mix. A lane's
// conversation is: agent connected (NA entry), `utterances` final transcripts (one message hook each), agent
// and customer hang up, wrap-up ends (exit, summary, END_OF_CONVERSATION); then the lane starts the next one.
import { SimConversation, type SimParticipant } from '../src/sim/genesys/conversation.js';
import type { SimQueue, SimUser } from '../src/sim/genesys/org.js';
import type { GenesysSim } from '../src/sim/genesys/server.js';

export const BENCH_QUEUE: SimQueue = { id: 'be7c0000-0000-4000-8000-00000000a001', name: 'Bench' };
export const BENCH_AGENTS: readonly SimUser[] = Array.from({ length: 8 }, (_, i) => ({
  id: `be7c0000-0000-4000-8000-0000000001${String(i).padStart(2, '0')}`,
  name: `Agent ${i}`,
  email: `agent${i}@example.com`,
}));

/** The bench's queue and agents, in the org before the bridge starts (it resolves GENESYS_QUEUE_IDS=all then). */
export function prepareOrg(sim: GenesysSim): void {
  for (const u of BENCH_AGENTS) sim.org.addUser(u);
  sim.org.addQueue(BENCH_QUEUE);
}

export interface PublishedFrame {
  readonly seq: number;
  readonly at: number;
  readonly kind: 'join' | 'utterance' | 'hangup' | 'wrapup';
  readonly conversationId: string;
  /** Sockets it reached (0: nobody subscribed that topic yet). */
  readonly delivered: number;
}

interface Lane {
  conversation: SimConversation;
  customer: SimParticipant;
  agent: SimParticipant | undefined;
  step: number;
}

export interface FrameSourceOptions {
  readonly rate: number;
  readonly lanes: number;
  readonly utterances: number;
}

/** Text of the utterance of frame `seq`: the hook body's `query` carries it back to the bench. */
export const utteranceText = (seq: number): string => `bench frame ${seq}`;
export const seqOfQuery = (query: unknown): number | undefined => {
  const m = typeof query === 'string' ? /bench frame (\d+)/.exec(query) : null;
  return m?.[1] ? Number(m[1]) : undefined;
};

export class FrameSource {
  readonly frames: PublishedFrame[] = [];
  private readonly lanes: (Lane | undefined)[];
  private seq = 0;
  private conversations = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sim: GenesysSim,
    private readonly o: FrameSourceOptions,
  ) {
    prepareOrg(sim);
    this.lanes = Array.from({ length: o.lanes }, () => undefined);
  }

  /** Three quarters of the time between a lane's frames, at most the sim's usual 1.5 s. */
  private get utteranceSeconds(): number {
    return Math.min(1.5, (0.75 * this.o.lanes) / this.o.rate);
  }

  get framesPerConversation(): number {
    return this.o.utterances + 3;
  }

  /** Publishes at the offered rate until stopped; frames owed after a late timer go out at once, in order. */
  start(): void {
    const t0 = Date.now();
    const tick = (): void => {
      const owed = Math.floor(((Date.now() - t0) * this.o.rate) / 1000);
      while (this.seq < owed) this.publishNext();
      this.timer = setTimeout(tick, 2);
    };
    tick();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  private publishNext(): void {
    const seq = this.seq++;
    const index = seq % this.o.lanes;
    const now = Date.now();
    let lane = this.lanes[index];
    if (!lane || lane.step >= this.framesPerConversation) lane = this.lanes[index] = this.newLane(now);
    const c = lane.conversation;
    const at = (now - c.startMs) / 1000;
    const k = lane.step++;
    let kind: PublishedFrame['kind'];
    if (k === 0) {
      kind = 'join';
      const user = BENCH_AGENTS[this.conversations % BENCH_AGENTS.length] ?? BENCH_AGENTS[0];
      if (!user) throw new Error('no bench agents');
      lane.agent = c.add('agent', at, { name: user.name, userId: user.id, queueId: BENCH_QUEUE.id });
      c.connect(lane.agent, at);
      c.emit(at);
    } else if (k <= this.o.utterances) {
      kind = 'utterance';
      const speaker = k % 2 && lane.agent ? lane.agent : lane.customer;
      // The utterance must have begun after the agent connected: INTERNAL speech from before that is the IVR's,
      // and the bridge drops it (GENESYS_INTERNAL_SPEECH_WITHOUT_AGENT). A lane's frames are `lanes / rate` apart,
      // so at 1,000 frames/s the sim's default 1.5 s utterance would start before the join it follows.
      c.transcript(at, speaker, `${c.id.slice(0, 8)}-u${k}`, utteranceText(seq), 0, this.utteranceSeconds);
    } else if (k === this.o.utterances + 1) {
      kind = 'hangup';
      if (lane.agent) c.disconnect(lane.agent, at, 'client');
      c.disconnect(lane.customer, at, 'peer');
      c.emit(at);
    } else {
      kind = 'wrapup';
      if (lane.agent) c.terminate(lane.agent, at);
      c.emit(at);
    }
    const step = c.steps[c.steps.length - 1];
    if (!step) return;
    c.steps.length = 0;
    const delivered = this.sim.publish(step.topic, step.body);
    this.frames.push({ seq, at: now, kind, conversationId: c.id, delivered });
  }

  private newLane(now: number): Lane {
    this.conversations += 1;
    const n = this.conversations;
    const id = `be7c${n.toString(16).padStart(4, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
    const c = new SimConversation(id, now, 'voice', () => [`v2.routing.queues.${BENCH_QUEUE.id}.conversations`]);
    const customer = c.add('customer', 0, { name: 'Customer', queueId: BENCH_QUEUE.id, address: `tel:+1555${String(1000000 + (n % 9000000)).slice(-7)}` });
    c.connect(customer, 0);
    return { conversation: c, customer, agent: undefined, step: 0 };
  }
}
