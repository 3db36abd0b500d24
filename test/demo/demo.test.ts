// `agentai-bridge demo` in-process: simulated org + built-in Agent AI + the daemon through the real SDK and
// websocket code. The genesys module is passed in as the composition root (bin/) will register it.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { genesysModule } from '../../adapters/genesys/module.js';
import { main } from '../../src/cli/main.js';
import { LineCollector } from '../helpers/harness.js';
import { badLogLines, events } from '../helpers/log-lines.js';

async function demo(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  const stdout = new LineCollector();
  const stderr = new LineCollector();
  const code = await main(['demo', ...args], { env, stdout, stderr, modules: [genesysModule] });
  return { code, out: stdout.lines.join('\n'), err: stderr.lines.join('\n') };
}

// The timeline pairs each Agent AI call with the Genesys step just before it in wall time, so on a loaded
// machine a call can print a line later: the tests hold the order of steps and calls, not their pairing.
describe('agentai-bridge demo', () => {
  it('plays six conversations and exits 0 with a timeline and a summary', async () => {
    const { code, out, err } = await demo(['--conversations', '6', '--duration', '2', '--speed', '20']);
    expect(err).toBe('');
    expect(code, out).toBe(0);
    expect(out).toMatch(/genesys {2}agent Alice Adams connected \(routing\)[\s\S]*?→ {2}agentai {2}NA entry Alice Adams/);
    expect(out).toContain('[cold]');
    expect(out).toContain('[warm]');
    expect(out).toMatch(/message USER: "/);
    expect(out).toMatch(/conversations: {2}6 played, 6 complete/);
    expect(out).toMatch(/dead letters: {3}0/);
    expect(out).toMatch(/result: {9}ok/);
  }, 60_000);

  it('by default plays one of each kind, the two redials and a supervisor who listens in, then barges in, among them', async () => {
    const { code, out } = await demo(['--duration', '2', '--speed', '20']);
    expect(code, out).toBe(0);
    expect(out).toMatch(/conversations: {2}9 played, 9 complete/);
    // Redial within the conversation: the drop is an NA exit at once, the new participant entry a redial entry.
    expect(out).toMatch(/── redial#7[\s\S]*transport\.failure[\s\S]*?→ {2}agentai {2}NA exit [\s\S]*reconnected as a new participant \[redial\][\s\S]*?→ {2}agentai {2}redial entry/);
    // Redial as a new outbound call: one timeline, the second Genesys conversation continues the first.
    expect(out).toMatch(/── redial-outbound#8[\s\S]*drops \(error\)[\s\S]*?→ {2}agentai {2}NA exit [\s\S]*a new outbound conversation \[redial\][\s\S]*?→ {2}agentai {2}redial entry [\s\S]*END_OF_CONVERSATION/);
    // Listening in is no event; barging in is a warm entry, leaving a warm exit.
    expect(out).toMatch(/listens in on [^\n]*\(monitor\) \[no event\][\s\S]*?barges in[\s\S]*?→ {2}agentai {2}warm entry [\s\S]*?→ {2}agentai {2}warm exit/);
    expect(out).toMatch(/redial entry ×2/);
  }, 60_000);

  it('survives every fault at once (drop, socket_closing, 404, token expiry, 429, outage, mute) with every conversation complete', async () => {
    const { code, out } = await demo(['--duration', '3', '--speed', '20', '--faults', 'drop,closing,404,token,429,outage,mute']);
    expect(code, out).toBe(0);
    expect(out).toMatch(/9 played, 9 complete/);
    expect(out).toContain('every notification socket dropped');
    expect(out).toContain('every access token expired');
  }, 60_000);

  it('with its daemon logging at debug through every fault, each daemon line has an event code and each key once', async () => {
    const { code, out } = await demo(['--conversations', '3', '--duration', '2', '--speed', '20', '--faults', 'drop,closing,404,token,429,outage', '--log-level', 'debug']);
    expect(code, out).toBe(0);
    // The timeline stays as it is; the daemon's JSON lines come between its lines.
    expect(out).toMatch(/3 played, 3 complete/);
    const lines = out.split('\n').filter((l) => l.startsWith('{'));
    expect(badLogLines(lines)).toEqual([]);
    expect(events(lines)).toEqual(expect.arrayContaining(['bridge.running', 'genesys.started', 'genesys.socket_lost', 'genesys.token_renewed', 'genesys.rate_limited', 'genesys.socket_closing', 'genesys.channel_gone', 'hook.delivered']));
  }, 60_000);

  it('never touches the configured store (BRIDGE_DATA_DIR), even while a daemon may be using it', async () => {
    const configured = join(mkdtempSync(join(tmpdir(), 'demo-configured-')), 'data');
    const { code, out } = await demo(['--conversations', '1', '--duration', '0', '--speed', '50'], { BRIDGE_DATA_DIR: configured, AGENTAI_URL: 'http://127.0.0.1:9' });
    expect(code, out).toBe(0);
    // Opening it (store or run lock) would have created it.
    expect(existsSync(configured)).toBe(false);
  }, 60_000);

  it('rejects a bad option with usage', async () => {
    const { code, err } = await demo(['--faults', 'meteor']);
    expect(code).toBe(2);
    expect(err.trim()).toMatch(/^agentai-bridge demo: unknown --faults value "meteor" \(known: drop,[^\n]*$/);
  });
});
