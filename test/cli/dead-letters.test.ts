// `agentai-bridge dead-letters list | retry | drop` against a real store, and the daemon picking a retried row up.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adapterModules } from '../../adapters/index.js';
import { deadLettersCommand } from '../../src/cli/dead-letters.js';
import { checkConfigCommand } from '../../src/cli/check-config.js';
import { main } from '../../src/cli/main.js';
import { joined, said } from '../core/fact-builders.js';
import { BOT, bridgeEnv, LineCollector, startHarness } from '../helpers/harness.js';

describe('dead-letters CLI', () => {
  it('lists dead letters with their reason, retries one into a running bridge, and drops another', async () => {
    const h = await startHarness();
    try {
      h.fake.inject({ status: 400, body: '{"code":400,"message":"Linked bot details could not be found."}', times: 2 });
      await h.bridge.pipeline.ingest({ ...joined(0, 'A'), conversationId: 'dl-1' });
      await h.bridge.pipeline.ingest({ ...joined(0, 'B'), conversationId: 'dl-2' });
      await h.bridge.dispatcher.whenIdle();
      const ctx = { env: bridgeEnv(h.fake.url, h.dataDir), stdout: new LineCollector(), stderr: new LineCollector(), modules: adapterModules };

      expect(await deadLettersCommand(['list'], ctx)).toBe(0);
      const listing = ctx.stdout.lines.join('\n');
      expect(listing).toMatch(/#\d+ .*conversation dl-1 .*NA entry A/);
      expect(listing).toMatch(/last HTTP 400: Agent AI rejected it: .*Linked bot details could not be found/);

      const [first, second] = await h.bridge.store.deadLetters();
      // Each one says when the daemon's sweep removes it: BRIDGE_DEAD_LETTER_RETENTION_HOURS after delivery gave up.
      const expires = (hours: number): string => new Date(first!.deadSince! + hours * 3_600_000).toISOString();
      expect(listing).toContain(`expires ${expires(720)}`);
      const json = new LineCollector();
      expect(await deadLettersCommand(['list', '--json'], { ...ctx, stdout: json })).toBe(0);
      expect(JSON.parse(json.lines.join('\n'))).toEqual([expect.objectContaining({ id: first!.id, expiresAt: expires(720) }), expect.objectContaining({ id: second!.id })]);
      const shorter = { ...ctx, env: { ...ctx.env, BRIDGE_DEAD_LETTER_RETENTION_HOURS: '48' }, stdout: new LineCollector() };
      expect(await deadLettersCommand(['list'], shorter)).toBe(0);
      expect(shorter.stdout.lines.join('\n')).toContain(`expires ${expires(48)}`);
      const kept = { ...ctx, env: { ...ctx.env, BRIDGE_DEAD_LETTER_RETENTION_HOURS: '0' }, stdout: new LineCollector() };
      expect(await deadLettersCommand(['list', '--json'], kept)).toBe(0);
      expect(JSON.parse(kept.stdout.lines.join('\n'))).toEqual([expect.objectContaining({ expiresAt: 'never' }), expect.objectContaining({ expiresAt: 'never' })]);
      const keptText = { ...kept, stdout: new LineCollector() };
      expect(await deadLettersCommand(['list'], keptText)).toBe(0);
      expect(keptText.stdout.lines.filter((l) => l.trim() === 'expires never')).toHaveLength(2);

      expect(await deadLettersCommand(['retry', String(first!.id)], ctx)).toBe(0);
      await h.fake.waitFor(() => h.fake.labels('dl-1').length === 1, 10_000); // the bridge's sweep finds it
      expect(h.fake.labels('dl-1')).toEqual(['NA entry A']);

      expect(await deadLettersCommand(['drop', String(second!.id)], ctx)).toBe(0);
      expect(await h.bridge.store.deadLetters()).toEqual([]);
      expect(await deadLettersCommand(['drop', '9999'], ctx)).toBe(1);
      expect(await deadLettersCommand(['retry'], ctx)).toBe(2);
    } finally {
      await h.close();
    }
  }, 20_000);
});

describe('dead-letters retry keeps the conversation in order', () => {
  it('a call that ran out of retries holds the rest back; `dead-letters retry --all` sends it, then the rest', async () => {
    const h = await startHarness({ DELIVERY_MAX_AGE_MS: '300', DELIVERY_CIRCUIT_FAILURES: '1000' });
    try {
      let down = true;
      h.fake.inject({ status: 503, times: 10_000, match: () => down });
      await h.bridge.pipeline.ingest({ ...joined(0, 'A'), conversationId: 'blk-1' });
      await h.bridge.pipeline.ingest({ ...said(1, 'USER', 'first'), conversationId: 'blk-1' });
      await h.bridge.pipeline.ingest({ ...said(2, 'AGENT', 'second'), conversationId: 'blk-1' });
      await h.bridge.dispatcher.whenIdle();
      const [dead, ...none] = await h.bridge.store.deadLetters();
      expect(none).toEqual([]);
      expect(dead).toMatchObject({ label: 'NA entry A', blocking: true });
      down = false;
      expect(h.fake.labels('blk-1')).toEqual([]); // nothing overtook it

      const ctx = { env: bridgeEnv(h.fake.url, h.dataDir), stdout: new LineCollector(), stderr: new LineCollector(), modules: adapterModules };
      expect(await deadLettersCommand(['list'], ctx)).toBe(0);
      expect(ctx.stdout.lines.join('\n')).toMatch(/holds its conversation back; attempts \d+, last HTTP 503: .*DELIVERY_MAX_AGE_MS/);
      expect(await deadLettersCommand(['retry', '--all'], ctx)).toBe(0);
      await h.fake.waitFor(() => h.fake.labels('blk-1').length === 3, 10_000); // the bridge's sweep finds it
      expect(h.fake.labels('blk-1').map((l) => l.replace(/^(message \w+).*/, '$1'))).toEqual(['NA entry A', 'message USER', 'message AGENT']);
      expect(h.fake.violations()).toEqual([]);
    } finally {
      await h.close();
    }
  }, 20_000);
});

describe('CLI basics', () => {
  it('check-config prints the effective config with secrets masked and exits 0', async () => {
    const out = new LineCollector();
    const env = { ...bridgeEnv('https://platform.kore.ai', mkdtempSync(join(tmpdir(), 'cc-'))), GENESYS_CLIENT_ID: 'gc-id', GENESYS_CLIENT_SECRET: 'genesys-secret-value', GENESYS_QUEUE_IDS: 'all' };
    expect(await checkConfigCommand({ env, stdout: out, stderr: out, modules: adapterModules })).toBe(0);
    const text = out.lines.join('\n');
    expect(text).toContain('"hooksPath": "/agentassist/api/v1/hooks"');
    expect(text).not.toContain(BOT.clientSecret);
    expect(text).not.toContain('genesys-secret-value');
  });

  it('check-config (and run) name the Genesys keys a live daemon needs; replay does not need them', async () => {
    const err = new LineCollector();
    const env = bridgeEnv('https://platform.kore.ai', mkdtempSync(join(tmpdir(), 'cc-')));
    expect(await checkConfigCommand({ env, stdout: new LineCollector(), stderr: err, modules: adapterModules })).toBe(78);
    expect(err.lines).toEqual(expect.arrayContaining([
      'config error: genesys.clientId (GENESYS_CLIENT_ID): required when BRIDGE_ADAPTERS includes genesys',
      'config error: genesys.clientSecret (GENESYS_CLIENT_SECRET): required when BRIDGE_ADAPTERS includes genesys',
      expect.stringMatching(/^config error: genesys.queueIds \(GENESYS_QUEUE_IDS\): nothing to follow/),
    ]));
    const runErr = new LineCollector();
    expect(await main(['run'], { env, stdout: new LineCollector(), stderr: runErr, modules: adapterModules })).toBe(78);
    expect(runErr.lines.join('\n')).toContain('GENESYS_CLIENT_ID');
  });

  it('an unknown command prints the help and exits 2', async () => {
    const err = new LineCollector();
    expect(await main(['frobnicate'], { env: {}, stdout: new LineCollector(), stderr: err, modules: adapterModules })).toBe(2);
    expect(err.lines.join('\n')).toMatch(/unknown command "frobnicate"[\s\S]*replay/);
  });
});
