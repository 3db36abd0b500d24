// The store contract against PostgreSQL (127.0.0.1:5432, database `test`, one schema per test). Skipped until
// the PostgreSQL store (src/store/postgres.ts) lands.
import { describe, it } from 'vitest';

describe.skip('postgres store contract', () => {
  it('runs the contract of ./contract.ts once src/store/postgres.ts exists', () => undefined);
});
