// The demo's scenario catalogue: short, realistic conversations built with SimConversation, covering each
// kind of hand-over Agent AI distinguishes (NA, cold, warm/consult, conference, redial within a conversation
// and redial as a new outbound call), a supervisor who listens in and then barges in, live voice
// transcription and a digital chat with message text. `demoOrg` is the directory the scenarios (and the org) use.
import { randomUUID } from 'node:crypto';
import { SimConversation, type SimParticipant } from './conversation.js';
import { queueTopic } from './model/topics.js';
import type { SimQueue, SimUser } from './org.js';
import type { SimScript } from './script.js';

export const DEMO_QUEUES: readonly SimQueue[] = [
  { id: '5a1e5000-0000-4000-8000-00000000a001', name: 'Support' },
  { id: '5a1e5000-0000-4000-8000-00000000a002', name: 'Billing' },
];

export const DEMO_USERS: readonly SimUser[] = [
  { id: 'a9e70000-0000-4000-8000-000000000001', name: 'Alice Adams', email: 'alice@example.com' },
  { id: 'a9e70000-0000-4000-8000-000000000002', name: 'Bob Brown', email: 'bob@example.com' },
  { id: 'a9e70000-0000-4000-8000-000000000003', name: 'Carol Chen', email: 'carol@example.com' },
  { id: 'a9e70000-0000-4000-8000-000000000004', name: 'Dave Diaz', email: 'dave@example.com' },
];

export type ScenarioKind =
  | 'standard'
  | 'cold-transfer'
  | 'consult'
  | 'conference'
  | 'transcription'
  | 'chat'
  | 'redial'
  | 'redial-outbound'
  | 'supervisor';
export const SCENARIO_KINDS: readonly ScenarioKind[] = [
  'standard',
  'cold-transfer',
  'consult',
  'conference',
  'transcription',
  'chat',
  'redial',
  'redial-outbound',
  'supervisor',
];

function user(n: number): SimUser {
  const u = DEMO_USERS[n % DEMO_USERS.length];
  if (!u) throw new Error('no demo users');
  return u;
}

interface Ctx {
  readonly c: SimConversation;
  readonly queue: SimQueue;
  readonly phone: string;
}

/** Customer arrives, waits in the queue, an agent answers. Returns the customer and agent. */
function answered(x: Ctx, who: SimUser, answerAt = 8): { cust: SimParticipant; agent: SimParticipant } {
  const { c, queue } = x;
  const cust = c.add('customer', 0, { name: 'Customer', queueId: queue.id, address: x.phone });
  c.connect(cust, 0);
  const acd = c.add('acd', 0.5, { name: queue.name, queueId: queue.id });
  c.connect(acd, 0.5);
  c.emit(0.5, `customer ${c.media === 'voice' ? 'calls' : 'writes to'} ${queue.name}`);
  const agent = c.add('agent', answerAt - 3, { name: who.name, userId: who.id, queueId: queue.id });
  c.emit(answerAt - 3, `${who.name} is offered the ${c.media === 'voice' ? 'call' : 'chat'}`);
  c.connect(agent, answerAt);
  c.disconnect(acd, answerAt, 'transfer');
  c.emit(answerAt, `agent ${who.name} connected (routing)`);
  return { cust, agent };
}

/** A builder plays its conversation on `x.c`; one that opens further conversations returns them. */
const BUILDERS: Record<ScenarioKind, (x: Ctx, n: number) => readonly SimConversation[] | void> = {
  standard(x, n) {
    const { cust, agent } = answered(x, user(n));
    x.c.hangUp(agent, cust, 40);
  },
  'cold-transfer'(x, n) {
    const a = user(n);
    const b = user(n + 1);
    const { cust, agent } = answered(x, a);
    x.c.disconnect(agent, 25, 'transfer');
    const acd = x.c.add('acd', 25, { name: x.queue.name, queueId: x.queue.id });
    x.c.connect(acd, 25);
    x.c.emit(25, `agent ${a.name} blind-transfers to ${x.queue.name} [cold transfer]`);
    const second = x.c.add('agent', 28, { name: b.name, userId: b.id, queueId: x.queue.id });
    x.c.emit(28, `${b.name} is offered the call`);
    x.c.connect(second, 31);
    x.c.disconnect(acd, 31, 'transfer');
    x.c.emit(31, `agent ${b.name} connected (transfer)`);
    x.c.hangUp(second, cust, 55);
  },
  consult(x, n) {
    const a = user(n);
    const b = user(n + 2);
    const { cust, agent } = answered(x, a);
    x.c.hold(cust, 20);
    const consultant = x.c.add('agent', 20, { name: b.name, userId: b.id, consultOf: cust });
    x.c.emit(20, `agent ${a.name} holds the customer and consults ${b.name} [warm]`);
    x.c.connect(consultant, 23);
    x.c.emit(23, `agent ${b.name} connected (consult)`);
    x.c.disconnect(consultant, 35, 'client');
    x.c.unhold(cust);
    x.c.emit(35, `agent ${b.name} leaves the consult; ${a.name} resumes the customer`);
    x.c.terminate(consultant, 50.2);
    x.c.hangUp(agent, cust, 50);
  },
  conference(x, n) {
    const a = user(n);
    const b = user(n + 3);
    const { cust, agent } = answered(x, a);
    const second = x.c.add('agent', 18, { name: b.name, userId: b.id, queueId: x.queue.id });
    x.c.emit(18, `agent ${a.name} adds ${b.name} to the call [conference]`);
    x.c.connect(second, 21);
    x.c.emit(21, `agent ${b.name} connected (conference)`);
    x.c.disconnect(second, 40, 'client');
    x.c.emit(40, `agent ${b.name} leaves the conference`);
    x.c.terminate(second, 52.2);
    x.c.hangUp(agent, cust, 52);
  },
  transcription(x, n) {
    const a = user(n);
    const { cust, agent } = answered(x, a);
    const lines: [SimParticipant, string][] = [
      [cust, 'Hi, my internet has been down since this morning.'],
      [agent, 'Sorry to hear that, let me check your line.'],
      [cust, 'Thanks, I work from home so it is urgent.'],
      [agent, 'I have reset the port, can you try again?'],
    ];
    lines.forEach(([who, text], i) => x.c.transcript(12 + i * 5, who, `${x.c.id.slice(0, 8)}-u${i + 1}`, text, 8));
    x.c.hangUp(agent, cust, 40);
  },
  chat(x, n) {
    const a = user(n);
    const c = x.c;
    const cust = c.add('customer', 0, { name: 'Customer', queueId: x.queue.id, address: x.phone });
    c.connect(cust, 0);
    c.say(cust, 0.2, 'Hello, I was charged twice for my order.');
    const acd = c.add('acd', 0.5, { name: x.queue.name, queueId: x.queue.id });
    c.connect(acd, 0.5);
    c.emit(0.5, `customer writes to ${x.queue.name}: "Hello, I was charged twice for my order."`);
    const agent = c.add('agent', 5, { name: a.name, userId: a.id, queueId: x.queue.id });
    c.emit(5, `${a.name} is offered the chat`);
    c.connect(agent, 8);
    c.disconnect(acd, 8, 'transfer');
    c.emit(8, `agent ${a.name} connected (routing)`);
    c.say(agent, 12, 'Hi! I can see the duplicate charge, refunding it now.');
    c.emit(12, `${a.name} writes: "Hi! I can see the duplicate charge, refunding it now."`);
    c.say(cust, 20, 'Great, thank you!');
    c.emit(20, 'customer writes: "Great, thank you!"');
    x.c.hangUp(agent, cust, 30);
  },
  redial(x, n) {
    const a = user(n);
    const { cust, agent } = answered(x, a);
    x.c.disconnect(agent, 20, 'transport.failure');
    x.c.emit(20, `agent ${a.name}'s phone leg fails (transport.failure); the customer stays on the line [drop]`);
    // Genesys reconnects the same user as a new participant entry; the old one lingers until wrap-up.
    const again = x.c.add('agent', 26, { name: a.name, userId: a.id, queueId: x.queue.id });
    x.c.emit(26, `${a.name} is offered the call again`);
    x.c.connect(again, 28);
    x.c.emit(28, `agent ${a.name} reconnected as a new participant [redial]`);
    x.c.terminate(agent, 45.2);
    x.c.hangUp(again, cust, 45);
  },
  'redial-outbound'(x, n) {
    const a = user(n);
    const { cust, agent } = answered(x, a);
    x.c.disconnect(cust, 20, 'error');
    x.c.disconnect(agent, 20.2, 'peer');
    x.c.emit(20.2, `the customer's call drops (error) [drop]`);
    x.c.terminate(agent, 24);
    x.c.emit(24, `agent ${a.name} finishes wrap-up`);
    // She calls the customer back on behalf of the queue: a new conversation, with the same number.
    const back = new SimConversation(randomUUID(), x.c.startMs + 30_000, 'voice', x.c.topics);
    const caller = back.add('user', 0, { name: a.name, userId: a.id, queueId: x.queue.id, direction: 'outbound' });
    back.connect(caller, 0.2);
    const callee = back.add('external', 0.3, { address: x.phone, direction: 'outbound' });
    back.emit(0.3, `${a.name} calls the customer back: a new outbound conversation [redial]`);
    back.connect(callee, 6);
    back.emit(6, `the customer answers ${a.name}'s call back`);
    back.hangUp(caller, callee, 30);
    return [back];
  },
  supervisor(x, n) {
    const a = user(n);
    const sup = user(n + 3);
    const { cust, agent } = answered(x, a);
    const monitor = x.c.add('user', 14, { name: sup.name, userId: sup.id, monitorOf: agent });
    x.c.connect(monitor, 14.5);
    x.c.emit(14.5, `supervisor ${sup.name} listens in on ${a.name} (monitor) [no event]`);
    x.c.barge(monitor, 25);
    x.c.emit(25, `supervisor ${sup.name} barges in`);
    x.c.disconnect(monitor, 38, 'client');
    x.c.emit(38, `supervisor ${sup.name} leaves the call`);
    x.c.terminate(monitor, 50.2);
    x.c.hangUp(agent, cust, 50);
  },
};

/** One scripted conversation of the given kind; `n` varies the agents and the customer. */
export function buildScenario(kind: ScenarioKind, n: number, startMs: number): SimScript {
  const queue = DEMO_QUEUES[n % DEMO_QUEUES.length] ?? DEMO_QUEUES[0];
  if (!queue) throw new Error('no demo queues');
  const media = kind === 'chat' ? 'chat' : 'voice';
  const c = new SimConversation(randomUUID(), startMs, media, () => [queueTopic(queue.id)]);
  const more = BUILDERS[kind]({ c, queue, phone: `tel:+1555${String(1000000 + n).slice(-7)}` }, n) ?? [];
  // Later conversations of the script count from the script's start like the first one.
  const steps = [c, ...more]
    .flatMap((conv) => conv.steps.map((step) => ({ ...step, offsetMs: step.offsetMs + (conv.startMs - startMs) })))
    .sort((a, b) => a.offsetMs - b.offsetMs);
  return { name: `${kind}#${n + 1}`, startMs, steps };
}
