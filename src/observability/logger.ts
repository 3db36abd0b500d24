// pino JSON logs, one line per event. Secrets are kept out three ways: known secret-bearing fields are
// redacted by name, at any depth; every configured secret value is scrubbed from any string that carries it (an error
// message quoting a header, say); and anything shaped like a JWT is masked wherever it appears. A line about a
// failure (`err`) carries the failure's stable code as a field of its own, so alerts match codes, not wording.
// Every line carries a stable `event` code (listed in README "Operating it"); a key appears once per line, whatever the
// call site and its child bindings say, because log pipelines differ on which of two equal keys they keep.
import { createRequire } from 'node:module';
import pino, { type DestinationStream, type Logger } from 'pino';
import { errorCode } from '../errors.js';
import { REDACTED, redactSecrets } from './redact.js';

export { REDACTED } from './redact.js';

/**
 * Fields whose value is a secret, at any depth: the value is replaced whatever it is. Checked while the line is
 * scrubbed anyway (scrubDeep), rather than by pino's `redact` paths: with their wildcards those cost about
 * 16 µs a line, a third of what a line cost, and a replay or a drain writes one line per conversation-level call.
 */
const SECRET_FIELDS: ReadonlySet<string> = new Set([
  'clientSecret',
  'secret',
  'secrets',
  'webhookSecrets',
  'token',
  'jwt',
  'accessToken',
  'authorization',
  'svix-signature',
  'webhook-signature',
]);
/** Secret only as a header (`auth` elsewhere may be a mode or a flag). */
const SECRET_HEADERS: ReadonlySet<string> = new Set(['auth']);

const JWT_SHAPE = /eyJ[\w-]{5,}\.eyJ[\w-]{5,}\.[\w-]{10,}/g;

export interface LoggerOptions {
  readonly level: string;
  /** Secret values from the config: scrubbed from every string that reaches a log line. */
  readonly secrets?: readonly string[];
  /** Default: stdout. */
  readonly destination?: DestinationStream;
  /** LOG_FORMAT: json (default, also on a terminal) or pretty (only to stdout, only where pino-pretty is installed). */
  readonly format?: LogFormat;
  /** Overrides `format`: tests force JSON lines with `pretty: false`. */
  readonly pretty?: boolean;
}

export type LogFormat = 'json' | 'pretty';

/** Keys pino writes itself: a logged object must not write them again. */
const RESERVED = new Set(['level', 'time', 'msg']);

export function createLogger(options: LoggerOptions): Logger {
  const secrets = options.secrets ?? [];
  const scrub = (text: string): string => redactSecrets(text.includes('eyJ') ? text.replace(JWT_SHAPE, REDACTED) : text, secrets);
  const base: pino.LoggerOptions = {
    level: options.level,
    base: { service: 'agentai-bridge' },
    timestamp: pino.stdTimeFunctions.isoTime,
    // scrubDeep has already turned errors into {type, message, code, stack}; pino's own serializer would see a
    // plain object then and call every error "Object".
    serializers: { err: (value: unknown) => value },
    formatters: {
      level: (label) => ({ level: label }),
      log: (object) => scrubDeep(withCode(object), scrub) as Record<string, unknown>,
    },
    onChild: dedupeBindings,
    hooks: {
      logMethod(args, method) {
        const bound = boundFields(this);
        const out = args.map((a, i) => (typeof a === 'string' ? scrub(a) : i === 0 ? withoutBound(a, bound) : a));
        method.apply(this, out as Parameters<typeof method>);
      },
    },
  };
  const wantsPretty = options.pretty ?? (options.format === 'pretty' && options.destination === undefined);
  const pretty = wantsPretty && prettyAvailable();
  if (pretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } });
  }
  const logger = options.destination ? pino(base, options.destination) : pino(base);
  if (wantsPretty) logger.warn({ event: 'log.pretty_unavailable' }, 'LOG_FORMAT=pretty needs pino-pretty (a development dependency); writing JSON lines');
  return logger;
}

const boundCache = new Map<string, Record<string, unknown>>();

/** The logger's bindings, parsed once per distinct set (pino's `bindings()` parses them on every call). */
function boundFields(logger: Logger): Record<string, unknown> {
  const chindings = (logger as unknown as Record<symbol, unknown>)[pino.symbols.chindingsSym];
  if (typeof chindings !== 'string') return logger.bindings();
  let bound = boundCache.get(chindings);
  if (!bound) {
    if (boundCache.size >= 256) boundCache.clear();
    bound = logger.bindings();
    boundCache.set(chindings, bound);
  }
  return bound;
}

/**
 * A call site's field that a child binding already carries (`adapter` on an adapter's logger) is dropped when
 * it says the same, and kept under `<key>Logged` when it differs; pino's own keys likewise.
 */
function withoutBound(arg: unknown, bound: Record<string, unknown>): unknown {
  if (arg === null || typeof arg !== 'object' || arg instanceof Error || Array.isArray(arg)) return arg;
  const fields = arg as Record<string, unknown>;
  if (!Object.keys(fields).some((k) => k in bound || RESERVED.has(k))) return arg;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (RESERVED.has(k) || (k in bound && bound[k] !== v)) out[`${k}Logged`] = v;
    else if (!(k in bound)) out[k] = v;
  }
  return out;
}

/** A child of a child that binds a key again (`adapter`) replaces the earlier value instead of repeating the key. */
function dedupeBindings(child: Logger): void {
  const holder = child as unknown as Record<symbol, unknown>;
  const chindings = holder[pino.symbols.chindingsSym];
  if (typeof chindings !== 'string' || chindings === '') return;
  const parsed: unknown = JSON.parse(`{${chindings.slice(1)}}`);
  if (parsed === null || typeof parsed !== 'object') return;
  const unique = JSON.stringify(parsed);
  if (unique.length - 2 !== chindings.length - 1) holder[pino.symbols.chindingsSym] = `,${unique.slice(1, -1)}`;
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

function scrubDeep(value: unknown, scrub: (s: string) => string, depth = 0, headers = false): unknown {
  if (typeof value === 'string') return scrub(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    const code = errorCode(value);
    return { type: value.name, message: scrub(value.message), ...(code !== undefined ? { code } : {}), stack: value.stack ? scrub(value.stack) : undefined };
  }
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, scrub, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_FIELDS.has(k) || (headers && SECRET_HEADERS.has(k)) ? REDACTED : scrubDeep(v, scrub, depth + 1, k === 'headers');
  }
  return out;
}
