// One origin rule for the config and both Agent AI clients.
import { describe, expect, it } from 'vitest';
import { AgentAiClient } from '../../src/agentai/client.js';
import { ConversationDetailsClient } from '../../src/agentai/summary-client.js';
import { originProblem, requireOrigin } from '../../src/util/origin.js';

describe('origin', () => {
  it.each([
    ['https://platform.kore.ai', undefined],
    ['http://127.0.0.1:8080', undefined],
    ['https://platform.kore.ai/', undefined],
    ['', 'must be set, as scheme://host[:port]'],
    ['platform.kore.ai', 'must be scheme://host[:port]'],
    ['ftp://platform.kore.ai', 'scheme must be http or https'],
    ['https://platform.kore.ai/agentassist', 'must be scheme://host[:port] with no path (the path is AGENTAI_HOOKS_PATH)'],
    ['https://platform.kore.ai?x=1', 'must be scheme://host[:port] with no path (the path is AGENTAI_HOOKS_PATH)'],
    ['https://platform.kore.ai#top', 'must be scheme://host[:port] with no path (the path is AGENTAI_HOOKS_PATH)'],
  ])('%s → %s', (value, problem) => {
    expect(originProblem(value)).toBe(problem);
  });

  it('the clients refuse what the config would refuse, with a CONFIG_INVALID code', () => {
    expect(requireOrigin('https://platform.kore.ai/', 'x')).toBe('https://platform.kore.ai');
    expect(() => requireOrigin('https://h/path', 'Agent AI baseUrl')).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining('Agent AI baseUrl must be') }));
    const jwt = { ttlSeconds: 300, jti: false };
    expect(() => new AgentAiClient({ baseUrl: 'https://h/agentassist', hooksPath: '/agentassist/api/v1/hooks', tokenHeader: 'token', jwt, connections: 1, timeouts: { connectMs: 1, headersMs: 1, bodyMs: 1 } })).toThrow(/baseUrl must be scheme/);
    expect(() => new ConversationDetailsClient({ baseUrl: 'https://h/api', tokenHeader: 'auth', jwt })).toThrow(/baseUrl must be scheme/);
  });
});
