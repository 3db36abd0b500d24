import { describe, expect, it } from 'vitest';
import { agentLeftReason, customerLeftReason } from '../disconnect.js';

describe('disconnectType → reason', () => {
  it.each([
    ['transfer', 'transfer'],
    ['transfer.consult', 'consult'],
    ['transfer.conference', 'conference'],
    ['client', 'hangup'],
    ['endpoint', 'hangup'],
    ['peer', 'hangup'],
    ['error', 'dropped'],
    ['system', 'dropped'],
    ['transport.failure', 'dropped'],
    ['timeout', 'dropped'],
    ['other', 'dropped'],
    ['transfer.forward', 'transfer'],
    ['transfer.noanswer', 'transfer'],
    ['transfer.notavailable', 'transfer'],
    ['transfer.donotdisturb', 'transfer'],
    ['endpoint.donotdisturb', 'hangup'],
    ['spam', 'hangup'],
    ['inactivity', 'hangup'],
    ['session.expired', 'hangup'],
    ['uncallable', 'dropped'],
    ['TRANSFER.Consult', 'consult'],
  ])('agent %s → %s', (value, reason) => {
    expect(agentLeftReason(value)).toEqual({ reason });
  });

  it('agent: unknown or missing → hangup, reported', () => {
    expect(agentLeftReason('teleported')).toEqual({ reason: 'hangup', unknown: 'teleported' });
    expect(agentLeftReason(undefined)).toEqual({ reason: 'hangup', unknown: '<missing>' });
    expect(agentLeftReason('  ')).toEqual({ reason: 'hangup', unknown: '<missing>' });
  });

  it.each([
    ['endpoint', 'hangup'],
    ['client', 'hangup'],
    ['peer', 'hangup'],
    ['error', 'dropped'],
    ['system', 'dropped'],
    ['transport.failure', 'dropped'],
    ['timeout', 'dropped'],
    ['other', 'dropped'],
    ['unknown', 'dropped'],
    ['uncallable', 'dropped'],
    ['endpoint.donotdisturb', 'hangup'],
    ['spam', 'hangup'],
    ['inactivity', 'hangup'],
    ['session.expired', 'hangup'],
    // Moved on to another number or a conference: not cut off.
    ['transfer', 'hangup'],
    ['transfer.consult', 'hangup'],
    ['transfer.conference', 'hangup'],
    ['transfer.forward', 'hangup'],
    ['transfer.noanswer', 'hangup'],
    ['transfer.notavailable', 'hangup'],
    ['transfer.donotdisturb', 'hangup'],
  ])('customer %s → %s', (value, reason) => {
    expect(customerLeftReason(value)).toEqual({ reason });
  });

  it('customer: unknown or missing → dropped, reported', () => {
    expect(customerLeftReason('teleported')).toEqual({ reason: 'dropped', unknown: 'teleported' });
    expect(customerLeftReason(undefined)).toEqual({ reason: 'dropped', unknown: '<missing>' });
  });
});
