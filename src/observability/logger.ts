// pino JSON logs, one line per event. Secrets are kept out three ways: known secret-bearing fields are
// redacted by path; every configured secret value is scrubbed from any string that carries it (an error
// message quoting a header, say); and anything shaped like a JWT is masked wherever it appears. A line about a
// failure (`err`) carries the failure's stable code as a field of its own, so alerts match codes, not wording.
import { createRequire } from 'node:module';
import pino, { type DestinationStream, type Logger } from 'pino';
import { errorCode } from '../errors.js';
import { REDACTED, redactSecrets } from './redact.js';

export { REDACTED } from './redact.js';

const REDACT_PATHS = [
  'clientSecret',
  '*.clientSecret',
  'secret',
  '*.secret',
  'secrets',
  '*.secrets',
  'webhookSecrets',
  '*.webhookSecrets',
  'token',
  '*.token',
  'jwt',
  '*.jwt',
  'accessToken',
  '*.accessToken',
  'authorization',
  'headers.authorization',
  'headers.auth',
  'headers.token',
  'headers["svix-signature"]',
  'headers["webhook-signature"]',
  '*.headers.authorization',
  '*.headers.auth',
  '*.headers.token',
];

const JWT_SHAPE = /eyJ[\w-]{5,}\.eyJ[\w-]{5,}\.[\w-]{10,}/g;

export interface LoggerOptions {
  readonly level: string;
  /** Secret values from the config: scrubbed from every string that reaches a log line. */
  readonly secrets?: readonly string[];
  /** Default: stdout; pretty-printed when stdout is a terminal. */
  readonly destination?: DestinationStream;
  readonly pretty?: boolean;
}

export function createLogger(options: LoggerOptions): Logger {
  const secrets = options.secrets ?? [];
  const scrub = (text: string): string => redactSecrets(text.replace(JWT_SHAPE, REDACTED), secrets);
  const base: pino.LoggerOptions = {
    level: options.level,
    base: { service: 'agentai-bridge' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    // scrubDeep has already turned errors into {type, message, code, stack}; pino's own serializer would see a
    // plain object then and call every error "Object".
    serializers: { err: (value: unknown) => value },
    formatters: {
      level: (label) => ({ level: label }),
      log: (object) => scrubDeep(withCode(object), scrub) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? scrub(a) : a)) as Parameters<typeof method>);
      },
    },
  };
  const pretty = options.pretty ?? (options.destination === undefined && process.stdout.isTTY === true && prettyAvailable());
  if (pretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } });
  }
  return options.destination ? pino(base, options.destination) : pino(base);
}

/**
 * pino-pretty is a development dependency: a terminal on a developer's machine gets readable lines, a
 * production install (npm ci --omit=dev, the container) JSON lines even on a terminal.
 */
function prettyAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

function withCode(object: Record<string, unknown>): Record<string, unknown> {
  if (object.err === undefined || object.code !== undefined) return object;
  const code = errorCode(object.err);
  return code === undefined ? object : { ...object, code };
}

function scrubDeep(value: unknown, scrub: (s: string) => string, depth = 0): unknown {
  if (typeof value === 'string') return scrub(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    const code = errorCode(value);
    return { type: value.name, message: scrub(value.message), ...(code !== undefined ? { code } : {}), stack: value.stack ? scrub(value.stack) : undefined };
  }
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, scrub, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubDeep(v, scrub, depth + 1);
  return out;
}
