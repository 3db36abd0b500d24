// Which release runs: the version from the package.json this code ships in (found from here upwards, since
// the source and the built dist/ sit at different depths), and the Node.js version.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const PackageJson = z.object({ name: z.string(), version: z.string() });

let cached: { version: string; node: string } | undefined;

export function buildInfo(): { version: string; node: string } {
  cached ??= { version: packageVersion(), node: process.versions.node };
  return cached;
}

function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i += 1) {
    try {
      const parsed = PackageJson.safeParse(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')));
      if (parsed.success && parsed.data.name === 'agentai-bridge') return parsed.data.version;
    } catch {
      // No package.json at this level: look one up.
    }
    dir = dirname(dir);
  }
  return 'unknown';
}
