// vitest globalSetup: each test run gets a temporary directory of its own, removed when the run ends. The
// tests' data dirs, stores and config files go under it (os.tmpdir() follows TMPDIR, which the test workers
// and the processes they start inherit), so a CI machine that runs the suite again and again is not left
// with their leftovers in /tmp, whether a test cleaned up after itself or not.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const previous = process.env.TMPDIR;
  const dir = mkdtempSync(join(tmpdir(), 'agentai-bridge-tests-'));
  process.env.TMPDIR = dir;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(dir, { recursive: true, force: true });
  };
}
