// `agentai-bridge demo` in-process: simulated org + built-in Agent AI + the daemon through the real SDK and
// websocket code. The genesys module is passed in as the composition root (bin/) registers it (its outbox
// completer fills in chat message texts at send time).
import { describe, expect, it } from 'vitest';
import { genesysModule } from '../../adapters/genesys/module.js';
import { main } from '../../src/cli/main.js';
import { LineCollector } from '../helpers/harness.js';

async function demo(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new LineCollector();
  const stderr = new LineCollector();
  const code = await main(['demo', ...args], { env: {}, stdout, stderr, modules: [genesysModule] });
  return { code, out: stdout.lines.join('\n'), err: stderr.lines.join('\n') };
}

describe('agentai-bridge demo', () => {
  it('plays every scenario kind and exits 0 with a timeline and a summary', async () => {
    const { code, out, err } = await demo(['--conversations', '6', '--duration', '2', '--speed', '20']);
    expect(err).toBe('');
    expect(code, out).toBe(0);
    expect(out).toMatch(/genesys {2}agent Alice Adams connected \(routing\) +→ {2}agentai {2}NA entry Alice Adams/);
    expect(out).toContain('[cold]');
    expect(out).toContain('[warm]');
    expect(out).toMatch(/message USER: "/);
    expect(out).toMatch(/conversations: {2}6 played, 6 complete/);
    expect(out).toMatch(/dead letters: {3}0/);
    expect(out).toMatch(/result: {9}ok/);
  }, 60_000);

  it('survives injected faults (drop, socket_closing, 404, token expiry, 429) with every conversation complete', async () => {
    const { code, out } = await demo(['--conversations', '6', '--duration', '3', '--speed', '20', '--faults', 'drop,closing,404,token,429']);
    expect(code, out).toBe(0);
    expect(out).toMatch(/6 played, 6 complete/);
    expect(out).toContain('every notification socket dropped');
    expect(out).toContain('every access token expired');
  }, 60_000);

  it('rejects a bad option with usage', async () => {
    const { code, err } = await demo(['--faults', 'meteor']);
    expect(code).toBe(2);
    expect(err).toContain('unknown fault "meteor"');
  });
});
