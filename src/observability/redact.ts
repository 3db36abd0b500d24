// Keeps credentials out of text that ends up in logs and dead-letter rows (an upstream that echoes headers,
// an error quoting a URL with a token).
export const REDACTED = '[redacted]';

/** Every occurrence of each secret replaced; secrets under 4 characters are skipped, they would mangle prose. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4 && out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}
