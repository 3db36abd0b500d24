import { describe, expect, it } from 'vitest';
import { normaliseAddress } from '../address.js';

describe('normaliseAddress', () => {
  it.each([
    ['tel:+15551234567', '+15551234567'],
    ['TEL:+15551234567', '+15551234567'],
    ['+15551234567', '+15551234567'],
    ['+1 (555) 123-4567', '+15551234567'],
    ['tel:+1-555-123-4567;ext=12', '+15551234567'],
    ['sip:+15551234567@edge.example.com;user=phone', '+15551234567'],
    ['sips:+15551234567@edge.example.com', '+15551234567'],
    ['5551234567', '5551234567'],
    ['  tel:+15551234567  ', '+15551234567'],
    ['sip:Alice@Example.MyPureCloud.com;transport=tls', 'sip:alice@example.mypurecloud.com'],
    ['Jane.Roe@Example.COM', 'jane.roe@example.com'],
    ['whatsapp-id-AbC123', 'whatsapp-id-AbC123'],
    ['12', '12'],
  ])('%s → %s', (raw, expected) => {
    expect(normaliseAddress(raw)).toBe(expected);
  });

  it('gives the same value for one number from every field Genesys uses', () => {
    const spellings = ['tel:+15551234567', '+15551234567', '+1 555 123 4567', 'sip:+15551234567@10.0.0.1'];
    expect(new Set(spellings.map(normaliseAddress))).toEqual(new Set(['+15551234567']));
  });

  it('returns undefined for nothing', () => {
    expect(normaliseAddress(undefined)).toBeUndefined();
    expect(normaliseAddress('   ')).toBeUndefined();
  });
});
