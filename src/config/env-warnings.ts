// A mistyped env var is not an error convict can see: it is simply never read, and the setting keeps its
// default (GENESYS_TOPICS_PER_CHANEL=500 leaves the limit at 1000). Variables with one of the bridge's
// prefixes that name no setting are reported, with the setting closest in spelling.
import type { Leaf } from './load.js';

const PREFIXES = ['BRIDGE_', 'AGENTAI_', 'GENESYS_', 'ADA_', 'DELIVERY_', 'SUMMARY_'];

export function unknownEnvWarnings(env: NodeJS.ProcessEnv, leaves: readonly Leaf[]): string[] {
  const known = new Map<string, string>([['BRIDGE_CONFIG', 'the config file']]);
  for (const leaf of leaves) {
    if (!leaf.env) continue;
    known.set(leaf.env, leaf.key);
    if (leaf.sensitive) known.set(`${leaf.env}_FILE`, `${leaf.key}, from a file`);
  }
  const warnings: string[] = [];
  for (const name of Object.keys(env).sort()) {
    if (!PREFIXES.some((p) => name.startsWith(p)) || known.has(name)) continue;
    const nearest = closest(name, [...known.keys()]);
    const hint = nearest ? `; did you mean ${nearest} (${known.get(nearest)})?` : '';
    warnings.push(`config warning: ${name} is not a setting and is ignored${hint}`);
  }
  return warnings;
}

function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = distance(name, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

/** Levenshtein distance (insertions, deletions, substitutions). */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
