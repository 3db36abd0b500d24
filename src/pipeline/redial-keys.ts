// How a new conversation is recognised as a redial of a dropped one: by the customer's address (and,
// optionally, the external contact id). Addresses are normalised so "tel:+1 555-123" and "+1555123" meet.
import type { CustomerInfo } from '../core/facts.js';

export type RedialMatch = 'address' | 'address-or-contact';

export function normaliseAddress(address: string): string {
  const bare = address.trim().toLowerCase().replace(/^(tel|sip|sips):/, '');
  const phone = bare.replace(/[\s().-]/g, '');
  return /^\+?\d+$/.test(phone) ? phone : bare;
}

export function redialKeys(customer: CustomerInfo | undefined, match: RedialMatch): string[] {
  if (!customer) return [];
  const keys: string[] = [];
  if (customer.address) keys.push(`address:${normaliseAddress(customer.address)}`);
  if (match === 'address-or-contact' && customer.externalContactId) keys.push(`contact:${customer.externalContactId}`);
  return keys;
}
