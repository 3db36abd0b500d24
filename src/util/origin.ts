// What an Agent AI (or gateway) address must be: scheme://host[:port], http or https, nothing after the host.
// The config checks it at start; the clients check it again for callers that bypass the config (tests, tools).
import { BridgeError } from '../errors.js';

/** Why `value` is not an origin, or undefined when it is one. */
export function originProblem(value: string): string | undefined {
  if (value === '') return 'must be set, as scheme://host[:port]';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be scheme://host[:port]';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'scheme must be http or https';
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) return 'must be scheme://host[:port] with no path (the path is AGENTAI_HOOKS_PATH)';
  return undefined;
}

/** The origin of `value`, or a CONFIG_INVALID error that names `what`. */
export function requireOrigin(value: string, what: string): string {
  const problem = originProblem(value);
  if (problem) throw new BridgeError('CONFIG_INVALID', `${what} ${problem}, got ${JSON.stringify(value)}`);
  return new URL(value).origin;
}
