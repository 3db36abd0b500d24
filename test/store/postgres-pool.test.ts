// The store's connection pool when the database ends a connection that is in use (a restart, a failover,
// pg_terminate_backend): the caller of that connection gets an error, and the process does not crash.
import pg from 'pg';
import { expect, it } from 'vitest';
import { createPool } from '../../src/store/postgres-pool.js';
import { PG_URL, dropSchema, freshSchema } from '../helpers/postgres.js';

it('a checked-out connection the database terminates between two queries fails its next query instead of crashing the process', async () => {
  const schema = freshSchema('pool');
  const pool = createPool({ url: PG_URL, schema });
  const crashes: string[] = [];
  let crashed: () => void = () => undefined;
  const crash = new Promise<void>((resolve) => (crashed = resolve));
  const onUncaught = (err: Error): void => {
    crashes.push(err.message);
    crashed();
  };
  process.prependListener('uncaughtException', onUncaught);
  const client = await pool.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const ended = new Promise((resolve) => client.once('end', resolve));
    // From another connection, while this one sits in the gap between two statements of a transaction.
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
    await admin.end();
    await Promise.race([ended, crash]);
    expect(crashes).toEqual([]);
    await expect(client.query('SELECT 1')).rejects.toThrow(/not queryable|terminat/);
    expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one).toBe(1);
  } finally {
    process.removeListener('uncaughtException', onUncaught);
    client.release(true);
    await pool.end();
    await dropSchema(schema);
  }
});
