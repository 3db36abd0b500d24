// What each fact carries besides its type: the queue (which picks the Agent AI bot), the experience, the
// customer's address (which a redial placed as a new call is matched by) and the direction, taken from the
// right participant of the snapshot; and the order of exits and entries that happen at the same instant.
import { describe, expect, it } from 'vitest';
import type { Fact } from '../../../src/core/facts.js';
import { newProcessor } from './helpers.js';

const BASE = Date.parse('2026-05-04T12:00:00.000Z');
const t = (seconds: number): string => new Date(BASE + seconds * 1000).toISOString();
type Json = Record<string, unknown>;

const frame = (id: string, participants: Json[], extra: Json = {}): string =>
  JSON.stringify({ topicName: 'v2.routing.queues.q-any.conversations', version: '2', eventBody: { id, participants, ...extra }, metadata: { CorrelationId: 'x' } });

const customer = (state: string, extra: Json = {}, call: Json = {}): Json => ({
  id: 'p-cust',
  purpose: 'customer',
  address: 'tel:+15551234567',
  calls: [{ id: 'call-cust', state, direction: 'inbound', connectedTime: t(0), ...(state === 'disconnected' ? { disconnectedTime: t(90), disconnectType: 'peer' } : {}), ...call }],
  ...extra,
});
const acd = (queueId: string, state = 'disconnected'): Json => ({
  id: `p-acd-${queueId}`,
  purpose: 'acd',
  queueId,
  calls: [{ id: `acd-${queueId}`, state, connectedTime: t(0), ...(state === 'disconnected' ? { disconnectedTime: t(4), disconnectType: 'transfer' } : {}) }],
});
const agent = (id: string, userId: string, call: Json, extra: Json = {}): Json => ({
  id,
  purpose: 'agent',
  userId,
  name: `Agent ${userId}`,
  calls: [{ id: `${id}-call`, direction: 'inbound', ...call }],
  ...extra,
});
const connected = (s: number): Json => ({ state: 'connected', connectedTime: t(s) });
const gone = (from: number, to: number, disconnectType = 'client'): Json => ({ state: 'disconnected', connectedTime: t(from), disconnectedTime: t(to), disconnectType });

function run(frames: string[]): Fact[] {
  const processor = newProcessor();
  return frames.flatMap((f) => processor.process(f).facts);
}
const of = <T extends Fact['type']>(facts: Fact[], type: T) => facts.filter((f): f is Extract<Fact, { type: T }> => f.type === type);

describe('the queue each fact carries', () => {
  it("an agent's entry and exit carry the agent's own queue; the customer's exit and the end the customer's once no agent is connected", () => {
    const facts = run([
      frame('c1', [customer('connected', { queueId: 'q-cust' }), acd('q-route'), agent('p-a', 'u-a', connected(5), { queueId: 'q-a' })]),
      frame('c1', [customer('disconnected', { queueId: 'q-cust' }), acd('q-route'), agent('p-a', 'u-a', gone(5, 90), { queueId: 'q-a' })]),
    ]);
    expect(of(facts, 'agent.joined')[0]?.queueId).toBe('q-a');
    expect(of(facts, 'agent.left')[0]?.queueId).toBe('q-a');
    expect(of(facts, 'conversation.ended')[0]?.queueId).toBe('q-cust');
    expect(of(facts, 'customer.left')[0]?.queueId).toBe('q-cust');
  });

  it("without an agent queue: the customer's queue, then the routing (ACD) leg's", () => {
    const withCustomerQueue = run([frame('c1', [customer('connected', { queueId: 'q-cust' }), acd('q-route'), agent('p-a', 'u-a', connected(5))])]);
    expect(of(withCustomerQueue, 'agent.joined')[0]?.queueId).toBe('q-cust');
    const routingOnly = run([
      frame('c1', [customer('connected'), acd('q-route'), agent('p-a', 'u-a', connected(5))]),
      frame('c1', [customer('disconnected'), acd('q-route'), agent('p-a', 'u-a', gone(5, 90))]),
    ]);
    expect(of(routingOnly, 'agent.joined')[0]?.queueId).toBe('q-route');
    expect(of(routingOnly, 'agent.left')[0]?.queueId).toBe('q-route');
    expect(of(routingOnly, 'customer.left')[0]?.queueId).toBe('q-route');
    expect(of(routingOnly, 'conversation.ended')[0]?.queueId).toBe('q-route');
  });

  it('after a transfer the newest connected agent names the queue, and a stale snapshot does not roll it back', () => {
    const first = [customer('connected'), acd('q-1'), agent('p-a', 'u-a', connected(5), { queueId: 'q-1' })];
    const afterTransfer = [customer('connected'), acd('q-1'), agent('p-a', 'u-a', gone(5, 30, 'transfer'), { queueId: 'q-1' }), acd('q-2'), agent('p-b', 'u-b', connected(40), { queueId: 'q-2' })];
    const over = [customer('disconnected'), acd('q-1'), agent('p-a', 'u-a', gone(5, 30, 'transfer'), { queueId: 'q-1' }), acd('q-2'), agent('p-b', 'u-b', gone(40, 90), { queueId: 'q-2' })];
    const facts = run([frame('c1', first), frame('c1', afterTransfer), frame('c1', first), frame('c1', over)]);
    expect(of(facts, 'conversation.ended')[0]?.queueId).toBe('q-2');
  });

  it('the queue is not forgotten by a snapshot without any', () => {
    const facts = run([
      frame('c1', [customer('connected', { queueId: 'q-cust' }), agent('p-a', 'u-a', connected(5))]),
      frame('c1', [customer('disconnected'), agent('p-a', 'u-a', gone(5, 90))]),
    ]);
    expect(of(facts, 'conversation.ended')[0]?.queueId).toBe('q-cust');
  });
});

describe('experience, customer and direction', () => {
  it('a messaging conversation is chat, from the customer leg; a call is voice', () => {
    const chat = run([
      frame('m1', [
        { id: 'p-cust', purpose: 'customer', messages: [{ id: 'msg-c', state: 'connected', connectedTime: t(0), type: 'webmessaging' }] },
        { id: 'p-a', purpose: 'agent', userId: 'u-a', messages: [{ id: 'msg-a', state: 'connected', connectedTime: t(5) }] },
      ]),
      frame('m1', [
        { id: 'p-cust', purpose: 'customer', messages: [{ id: 'msg-c', state: 'disconnected', connectedTime: t(0), disconnectedTime: t(60), disconnectType: 'client' }] },
        { id: 'p-a', purpose: 'agent', userId: 'u-a', messages: [{ id: 'msg-a', state: 'disconnected', connectedTime: t(5), disconnectedTime: t(60), disconnectType: 'client' }] },
      ]),
    ]);
    expect(chat.map((f) => f.experience)).toEqual(chat.map(() => 'chat'));
    expect(of(chat, 'conversation.ended')).toHaveLength(1);
    const voice = run([frame('c1', [customer('connected'), agent('p-a', 'u-a', connected(5))])]);
    expect(voice[0]?.experience).toBe('voice');
  });

  it("the entry names the customer's address and contact, and the customer's direction", () => {
    const facts = run([frame('c1', [customer('connected', { externalContactId: 'ext-9' }, { direction: 'outbound' }), agent('p-a', 'u-a', { ...connected(5), direction: 'inbound' })])]);
    expect(of(facts, 'agent.joined')[0]).toMatchObject({ customer: { address: '+15551234567', externalContactId: 'ext-9' }, direction: 'outbound' });
  });

  it('before the far end answers an outbound call, the agent leg\'s far end is the customer', () => {
    const facts = run([
      frame('c1', [
        { id: 'p-cust', purpose: 'customer', calls: [{ id: 'call-cust', state: 'dialing', direction: 'outbound' }] },
        agent('p-a', 'u-a', { ...connected(5), direction: 'outbound', other: { addressNormalized: 'tel:+15550000001' } }),
      ]),
    ]);
    expect(of(facts, 'agent.joined')[0]?.customer).toEqual({ address: '+15550000001' });
    expect(of(facts, 'agent.joined')[0]?.direction).toBe('outbound');
  });

  it('with nothing known about the customer the entry says nothing about one', () => {
    const facts = run([frame('c1', [{ id: 'p-cust', purpose: 'customer', calls: [{ id: 'cc', state: 'connected', connectedTime: t(0) }] }, agent('p-a', 'u-a', connected(5))])]);
    expect(of(facts, 'agent.joined')[0]).not.toHaveProperty('customer');
  });

  it('the customer is the customer participant rather than an external party, and a connected one', () => {
    const external = { id: 'p-ext', purpose: 'external', address: 'tel:+15559999999', calls: [{ id: 'call-ext', state: 'connected', connectedTime: t(0) }] };
    const facts = run([frame('c1', [external, customer('connected'), agent('p-a', 'u-a', connected(5))])]);
    expect(of(facts, 'agent.joined')[0]?.customer?.address).toBe('+15551234567');
    const goneCustomer = { ...customer('disconnected'), id: 'p-old', address: 'tel:+15558888888' };
    const second = run([frame('c2', [goneCustomer, customer('connected'), agent('p-a', 'u-a', connected(5))])]);
    expect(of(second, 'agent.joined')[0]?.customer?.address).toBe('+15551234567');
  });
});

describe('how an agent joined', () => {
  it("a callback only when the agent's own participant has the callback leg", () => {
    // The callback request itself never connected: only the call leg joins.
    const callback = (pid: string): Json => ({ callbacks: [{ id: `${pid}-cb`, state: 'disconnected', disconnectedTime: t(2), disconnectType: 'client' }] });
    const own = run([frame('c1', [customer('connected'), agent('p-a', 'u-a', connected(5), callback('p-a'))])]);
    expect(of(own, 'agent.joined').map((f) => f.via)).toEqual(['callback']);
    const someoneElses = run([frame('c1', [customer('connected', callback('p-cust')), agent('p-a', 'u-a', connected(5))])]);
    expect(of(someoneElses, 'agent.joined').map((f) => f.via)).toEqual(['routing']);
  });

  it('a second agent while the customer is on hold is a consult; with the customer hung up, not', () => {
    const a = agent('p-a', 'u-a', connected(5));
    const held = run([frame('c1', [customer('connected', {}, { held: true }), a, agent('p-b', 'u-b', connected(20))])]);
    expect(of(held, 'agent.joined').map((f) => f.via)).toEqual(['routing', 'consult']);
    const notHeld = run([frame('c1', [customer('connected'), a, agent('p-b', 'u-b', connected(20))])]);
    expect(of(notHeld, 'agent.joined').map((f) => f.via)).toEqual(['routing', 'conference']);
  });
});

describe('the same instant', () => {
  it("a transfer's exit comes before the next agent's entry when both carry the same time", () => {
    const facts = run([
      frame('c1', [customer('connected'), agent('p-a', 'u-a', connected(5))]),
      frame('c1', [customer('connected'), agent('p-a', 'u-a', gone(5, 30, 'transfer')), agent('p-b', 'u-b', connected(30))]),
    ]);
    expect(facts.map((f) => `${f.type} ${'agent' in f ? f.agent.identity : ''}`.trim())).toEqual(['agent.joined u-a', 'agent.left u-a', 'agent.joined u-b']);
  });

  it("the customer's exit at the instant an agent connects comes after the entry", () => {
    const facts = run([frame('c1', [customer('connected'), agent('p-a', 'u-a', connected(5))]), frame('c1', [customer('disconnected', {}, { disconnectedTime: t(5) }), agent('p-a', 'u-a', gone(5, 6))])]);
    const kinds = facts.map((f) => f.type);
    expect(kinds.indexOf('agent.joined')).toBeLessThan(kinds.indexOf('customer.left'));
  });
});
