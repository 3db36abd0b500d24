// `agentai-bridge conversations --open [--json]`: what the store holds open, read through openStore(config).
import { describe, expect, it } from 'vitest';
import { adapterModules } from '../../adapters/index.js';
import { main } from '../../src/cli/main.js';
import { customerLeft, ended, joined, left } from '../core/fact-builders.js';
import { bridgeEnv, LineCollector, startHarness } from '../helpers/harness.js';

describe('conversations CLI', () => {
  it('lists the open conversations (plain text and JSON), not the closed ones', async () => {
    const h = await startHarness();
    try {
      await h.bridge.pipeline.ingest(joined(0, 'A', 'A-leg', 'routing', 'open-1'));
      for (const f of [joined(0, 'B', 'B-leg', 'routing', 'done-1'), left(5, 'B', 'hangup', 'B-leg', 'done-1'), customerLeft(5, 'hangup', 'done-1'), ended(5, 'done-1')]) {
        await h.bridge.pipeline.ingest(f);
      }
      await h.bridge.pipeline.flush();
      const ctx = () => ({ env: bridgeEnv(h.fake.url, h.dataDir), stdout: new LineCollector(), stderr: new LineCollector(), modules: adapterModules });

      const text = ctx();
      expect(await main(['conversations', '--open'], text)).toBe(0);
      const listing = text.stdout.lines.join('\n');
      expect(listing).toMatch(/^open-1 {2}test {2}bot default {2}voice {2}open \d+s \(since \d{4}-\d\d-\d\dT.*\) {2}last change \d+s ago$/m);
      expect(listing).not.toContain('done-1');
      expect(listing).toContain('1 open conversation(s)');

      const json = ctx();
      expect(await main(['conversations', '--open', '--json'], json)).toBe(0);
      const rows = JSON.parse(json.stdout.lines.join('\n')) as { id: string; source: string; platformIds: string[]; openSeconds: number }[];
      expect(rows.map((r) => [r.id, r.source, r.platformIds])).toEqual([['open-1', 'test', ['open-1']]]);
      expect(rows[0]?.openSeconds).toBeGreaterThanOrEqual(0);

      const usage = ctx();
      expect(await main(['conversations'], usage)).toBe(2);
      expect(usage.stderr.lines).toEqual(['agentai-bridge conversations: --open is required (agentai-bridge conversations --help shows the usage)']);
    } finally {
      await h.close();
    }
  }, 20_000);
});
