// What every log line must be: one JSON object, each key once at every level (JSON.parse would hide a repeated
// key, keeping the last), and a stable `event` code that tests and alerts match instead of the wording.

/** The keys of every object in a JSON text that appear more than once in that object, as dotted paths. */
export function duplicateKeys(text: string): string[] {
  const found: string[] = [];
  let i = 0;
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const string = (): string => {
    const start = i;
    i++;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: string): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const seen = new Set<string>();
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        const key = string();
        if (seen.has(key)) found.push(path ? `${path}.${key}` : key);
        seen.add(key);
        ws();
        i++; // ':'
        value(path ? `${path}.${key}` : key);
        ws();
        if (text[i++] === '}') return;
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value(path);
        ws();
        if (text[i++] === ']') return;
      }
    }
    if (c === '"') {
      string();
      return;
    }
    while (i < text.length && !/[,}\]\s]/.test(text[i]!)) i++;
  };
  value('');
  return found;
}

const EVENT = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/;

/** Lines that are not JSON, lack a dotted `event` code, or repeat a key; empty when every line is fine. */
export function badLogLines(lines: readonly string[]): string[] {
  const bad: string[] = [];
  for (const line of lines) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      bad.push(`not JSON: ${line}`);
      continue;
    }
    const dupes = duplicateKeys(line);
    if (dupes.length) bad.push(`repeats ${dupes.join(', ')}: ${line}`);
    const event = parsed !== null && typeof parsed === 'object' && 'event' in parsed ? parsed.event : undefined;
    if (typeof event !== 'string' || !EVENT.test(event)) bad.push(`no event code: ${line}`);
  }
  return bad;
}

/** The event codes of the lines, in order. */
export function events(lines: readonly string[]): string[] {
  return lines.map((l) => {
    const parsed: unknown = JSON.parse(l);
    return parsed !== null && typeof parsed === 'object' && 'event' in parsed && typeof parsed.event === 'string' ? parsed.event : '';
  });
}
