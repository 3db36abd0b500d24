// `dead-letters` under BRIDGE_STORE=postgres works on the cluster's shared store: a dead letter another
// process wrote is listed, retried and dropped from any machine that has the configuration.
import { adapterModules } from '../../adapters/index.js';
import { describe, expect, it } from 'vitest';
import { deadLettersCommand } from '../../src/cli/dead-letters.js';
import { openPostgresStore } from '../../src/store/postgres.js';
import { seedRecord } from '../helpers/store-seed.js';
import { record, row } from '../store/contract.js';
import { bridgeEnv, LineCollector } from '../helpers/harness.js';
import { PG_URL, dropSchema, freshSchema } from '../helpers/postgres.js';

describe('dead-letters CLI on PostgreSQL', () => {
  it("lists, retries and drops the cluster's dead letters", async () => {
    const schema = freshSchema('deadletters');
    const replica = await openPostgresStore({ url: PG_URL, schema });
    try {
      await seedRecord(replica, record('pg-dl'), [row('NA entry A'), row('NA exit A')]);
      const [a, b] = await replica.outboxFor('pg-dl');
      const [claim] = await replica.claim(['pg-dl']);
      await replica.record([
        { claim: claim!, update: { id: a!.id, status: 'dead', reason: 'Agent AI rejected it: HTTP 400', blocking: false, httpStatus: 400, at: Date.now() } },
        { claim: claim!, update: { id: b!.id, status: 'dead', reason: 'gave up', blocking: true, at: Date.now() } },
      ]);
      await replica.release([claim!]);
      const env = bridgeEnv('https://platform.kore.ai', '/nonexistent', { BRIDGE_STORE: 'postgres', BRIDGE_POSTGRES_URL: PG_URL, BRIDGE_POSTGRES_SCHEMA: schema });
      const ctx = { env, stdout: new LineCollector(), stderr: new LineCollector(), modules: adapterModules };
      expect(await deadLettersCommand(['list'], ctx)).toBe(0);
      expect(ctx.stdout.lines.join('\n')).toMatch(/#\d+ .*conversation pg-dl .*NA entry A[\s\S]*last HTTP 400: Agent AI rejected it/);
      expect(await deadLettersCommand(['retry', String(a!.id)], ctx)).toBe(0);
      expect(await deadLettersCommand(['drop', String(b!.id)], ctx)).toBe(0);
      expect(await replica.deadLetters()).toEqual([]);
      expect((await replica.head('pg-dl'))?.id).toBe(a!.id);
    } finally {
      await replica.close();
      await dropSchema(schema);
    }
  });

  it('fails naming BRIDGE_POSTGRES_URL, password masked, when the database cannot be reached', async () => {
    const env = bridgeEnv('https://platform.kore.ai', '/nonexistent', { BRIDGE_STORE: 'postgres', BRIDGE_POSTGRES_URL: 'postgres://bridge:hunter2@127.0.0.1:1/x' });
    const ctx = { env, stdout: new LineCollector(), stderr: new LineCollector(), modules: adapterModules };
    expect(await deadLettersCommand(['list'], ctx)).toBe(1);
    expect(ctx.stderr.lines.join('\n')).toContain('postgres://bridge:****@127.0.0.1:1/x (BRIDGE_POSTGRES_URL)');
    expect(ctx.stderr.lines.join('\n')).not.toContain('hunter2');
  });
});
