// The connection pool of the PostgreSQL store (and of the summary follow-up under postgres): search_path set
// to the bridge's schema on every connection, BIGINT read as numbers (all ours are milliseconds or row ids,
// well inside 2^53), and errors that name BRIDGE_POSTGRES_URL with the password masked.
import pg from 'pg';
import { StoreError } from './errors.js';
import { quoteSchema } from './postgres-schema.js';
import { maskPostgresUrl, postgresPassword } from '../config/postgres-url.js';

const INT8_OID = 20;

export interface PoolOptions {
  readonly url: string;
  readonly schema: string;
  readonly max?: number;
  /** How long a new connection may take before the attempt fails. */
  readonly connectTimeoutMs?: number;
}

export function createPool(options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
    options: `-c search_path=${quoteSchema(options.schema)}`,
    application_name: 'agentai-bridge',
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // A connection the database ends (restart, failover, pg_terminate_backend) must not take the process down.
  // An idle one is reported on the pool; one checked out is reported on the client alone, where pg-pool keeps no
  // listener, so between two statements of a transaction it would be an uncaught 'error'. The caller still
  // learns of it: the client's next query fails, and the transaction releases the client as broken.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/** A connection of its own (outside the pool) that LISTENs for wake-up hints. */
export function createListener(url: string): pg.Client {
  const client = new pg.Client({ connectionString: url, application_name: 'agentai-bridge-listen', connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  return client;
}

/** Wraps a failure to reach or use the database in a StoreError naming the setting (password masked). */
export function unreachable(url: string, err: unknown): StoreError {
  if (err instanceof StoreError && err.code !== 'STORE_UNREACHABLE') return err;
  if (err instanceof StoreError && err.message.includes('BRIDGE_POSTGRES_URL')) return err;
  const reason = err instanceof Error ? err.message : String(err);
  const password = postgresPassword(url);
  const safe = password ? reason.split(password).join('****') : reason;
  return new StoreError('STORE_UNREACHABLE', `cannot use PostgreSQL at ${maskPostgresUrl(url)} (BRIDGE_POSTGRES_URL): ${safe}`, { retryable: true, cause: err });
}

/** Errors worth running the same transaction again for: a deadlock victim or a serialization failure. */
export function isRetryableConflict(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
  return code === '40P01' || code === '40001';
}
