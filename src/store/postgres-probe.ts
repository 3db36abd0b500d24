// What `check-config` asks of the PostgreSQL store before anything runs: that the database answers, accepts
// writes, lets the bridge create (or use) its schema, and that the schema is not newer than this release.
// It changes nothing; `run` creates and migrates the schema itself.
import { createPool, unreachable } from './postgres-pool.js';
import { POSTGRES_SCHEMA_VERSION } from './postgres-schema.js';
import { StoreError } from './errors.js';

export interface ProbeResult {
  /** The schema's version now (0: not created yet; the first `run` creates it). */
  readonly version: number;
  readonly known: number;
}

export async function probePostgres(url: string, schema: string): Promise<ProbeResult> {
  const pool = createPool({ url, schema, max: 1 });
  try {
    const { rows } = await pool.query<{ primary: boolean; exists: boolean; can_create: boolean; can_use: boolean | null }>(
      `SELECT NOT pg_is_in_recovery() AS primary,
              to_regclass($1 || '.schema_migrations') IS NOT NULL AS exists,
              has_database_privilege(current_database(), 'CREATE') AS can_create,
              CASE WHEN to_regnamespace($1) IS NULL THEN NULL ELSE has_schema_privilege($1, 'CREATE') AND has_schema_privilege($1, 'USAGE') END AS can_use`,
      [schema],
    );
    const r = rows[0];
    if (!r?.primary) throw new StoreError('STORE_UNREACHABLE', 'the server is a read-only standby; point BRIDGE_POSTGRES_URL at the primary');
    if (r.can_use === false) throw new StoreError('STORE_UNREACHABLE', `the user may not create tables in schema ${schema} (BRIDGE_POSTGRES_SCHEMA): GRANT USAGE, CREATE ON SCHEMA ${schema}`);
    if (r.can_use === null && !r.can_create) throw new StoreError('STORE_UNREACHABLE', `schema ${schema} does not exist and the user may not create it: create it, or GRANT CREATE ON DATABASE`);
    let version = 0;
    if (r.exists) {
      const v = await pool.query<{ v: number | null }>(`SELECT MAX(version) AS v FROM "${schema}".schema_migrations`);
      version = v.rows[0]?.v ?? 0;
    }
    if (version > POSTGRES_SCHEMA_VERSION) {
      throw new StoreError('STORE_SCHEMA_TOO_NEW', `schema ${schema} is version ${version}, newer than this release knows (${POSTGRES_SCHEMA_VERSION}): run the newer release`);
    }
    return { version, known: POSTGRES_SCHEMA_VERSION };
  } catch (err) {
    throw unreachable(url, err);
  } finally {
    await pool.end().catch(() => undefined);
  }
}
