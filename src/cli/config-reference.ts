// `agentai-bridge config-reference`: the README's configuration table, generated from the schema itself (the
// core's and each adapter module's section).
import { composedSchema } from '../config/load.js';
import { EXIT, println, type CliContext } from './context.js';

interface Entry {
  key: string;
  env?: string;
  doc: string;
  default: unknown;
  sensitive?: boolean;
}

function entries(node: object, prefix = ''): Entry[] {
  const out: Entry[] = [];
  for (const [name, value] of Object.entries(node)) {
    const key = prefix ? `${prefix}.${name}` : name;
    if (value && typeof value === 'object' && 'doc' in value) {
      const v = value as { doc: string; env?: string; default: unknown; sensitive?: boolean };
      out.push({ key, doc: v.doc, default: v.default, ...(v.env ? { env: v.env } : {}), ...(v.sensitive ? { sensitive: true } : {}) });
    } else if (value && typeof value === 'object') {
      out.push(...entries(value, key));
    }
  }
  return out;
}

function show(value: unknown): string {
  if (value === '') return '(none)';
  if (Array.isArray(value)) return value.length ? value.join(',') : '(none)';
  return String(value);
}

export function configReferenceCommand(ctx: CliContext): number {
  println(ctx.stdout, '| key | env | default | meaning |');
  println(ctx.stdout, '| --- | --- | --- | --- |');
  for (const e of entries(composedSchema(ctx.modules))) {
    const env = e.env ? `\`${e.env}\`${e.sensitive ? ' (secret; also `' + e.env + '_FILE`)' : ''}` : '(file only)';
    println(ctx.stdout, `| \`${e.key}\` | ${env} | \`${show(e.default)}\` | ${e.doc.replace(/\|/g, '\\|')} |`);
  }
  return EXIT.ok;
}
