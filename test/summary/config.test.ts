// The summary: block of the configuration: defaults, env vars, validation.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';

const base = { AGENTAI_URL: 'http://127.0.0.1:1', AGENTAI_BOT_ID: 'st-1', AGENTAI_CLIENT_ID: 'cs-1', AGENTAI_CLIENT_SECRET: 'secret-123456' };

describe('summary config', () => {
  it('is off by default, with the bot-tier limits and attribute write-back', () => {
    const { summary, agentai } = loadConfig({ env: base });
    expect(summary).toMatchObject({ poll: false, writeBack: 'attribute', attributeName: 'agentai.summary', ratePerMinute: 60, ratePerHour: 1800, pollDeadlineMs: 600000 });
    expect(agentai.detailsTokenHeader).toBe('auth');
  });

  it('reads the env vars', () => {
    const { summary } = loadConfig({
      env: { ...base, SUMMARY_POLL: 'true', SUMMARY_POLL_DEADLINE_MS: '1000', SUMMARY_WRITE_BACK: 'both', SUMMARY_WRAPUP_CODE_ID: 'wc-1', SUMMARY_RATE_PER_MINUTE: '30' },
    });
    expect(summary).toMatchObject({ poll: true, pollDeadlineMs: 1000, writeBack: 'both', wrapupCodeId: 'wc-1', ratePerMinute: 30 });
  });

  it('rejects an unknown write-back target and a zero rate, naming the env var', () => {
    try {
      loadConfig({ env: { ...base, SUMMARY_WRITE_BACK: 'crm', SUMMARY_RATE_PER_HOUR: '0' } });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const text = (err as ConfigError).message;
      expect(text).toContain('summary.writeBack (SUMMARY_WRITE_BACK)');
      expect(text).toContain('summary.ratePerHour (SUMMARY_RATE_PER_HOUR)');
    }
  });
});
