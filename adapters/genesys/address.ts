// Customer addresses let the core recognise a redial placed as a new conversation (facts §2.5), so the same
// phone number must compare equal whichever field or topic it came from: `tel:+15551234567` on
// `calls[].self.addressNormalized`, `+1 (555) 123-4567` typed by hand, `sip:+15551234567@edge;user=phone`.
//
// Rule:
//  - phone numbers (after dropping a `tel:` scheme, or the user part of a `sip:`/`sips:` URI) become their
//    digits with the leading `+` kept when present: `+15551234567`. No country code is guessed.
//  - other SIP URIs become `sip:user@host` in lower case, without parameters.
//  - e-mail addresses are lower-cased.
//  - anything else (messaging ids, handles) is kept as sent, trimmed.
const PHONE = /^\+?[\d\s().-]+$/;
const MIN_PHONE_DIGITS = 3;

export function normaliseAddress(raw: string | undefined): string | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  const tel = /^tel:(.*)$/i.exec(value);
  if (tel) return phone(withoutParameters(tel[1] ?? '')) ?? value;
  const sip = /^sips?:([^@;]+)(?:@([^;]+))?/i.exec(value);
  if (sip) {
    const user = sip[1] ?? '';
    const asPhone = phone(user);
    if (asPhone) return asPhone;
    return sip[2] ? `sip:${user}@${sip[2]}`.toLowerCase() : `sip:${user}`.toLowerCase();
  }
  const asPhone = phone(value);
  if (asPhone) return asPhone;
  if (/^[^\s@]+@[^\s@]+$/.test(value)) return value.toLowerCase();
  return value;
}

function phone(candidate: string): string | undefined {
  const text = candidate.trim();
  if (!PHONE.test(text)) return undefined;
  const digits = text.replace(/\D/g, '');
  if (digits.length < MIN_PHONE_DIGITS) return undefined;
  return text.startsWith('+') ? `+${digits}` : digits;
}

function withoutParameters(value: string): string {
  const semicolon = value.indexOf(';');
  return semicolon === -1 ? value : value.slice(0, semicolon);
}
