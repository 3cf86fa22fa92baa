import { Client } from 'pg';
import { DataSource, QueryRunner } from 'typeorm';
import { TenantScope } from '../../../src/common/tenancy/tenant-scope';
import { HandledSchemas, OutboxRepository } from '../../../src/modules/outbox/outbox.repository';
import { useScratchApp } from '../../utils/scratch-database';

const HANDLED: HandledSchemas = { exact: ['core/agent.registration@1'], core: ['agent.registration@1'] };
const LOADED = 50_000;

/** Rows of the outbox table read by sequential scans so far in this transaction. */
const SEQUENTIAL_ROWS = `SELECT seq_tup_read::int AS n FROM pg_stat_xact_user_tables WHERE relname = 'service_call_records'`;

/**
 * A worker keeps its connections for hours, and PostgreSQL keeps a prepared statement's generic
 * plan for the life of the connection (until the table's statistics change): the drain's claim
 * made on a new deployment's nearly empty table must still read only the records it claims once
 * the table holds tens of thousands.
 */
describe('the drain claim planned while the outbox table was nearly empty', () => {
  const s = useScratchApp('claim_plan');
  let owner: Client;

  beforeAll(async () => {
    owner = new Client({ connectionString: s.scratch.ownerUrl });
    await owner.connect();
    // Nothing analyzes the table behind the test's back (autovacuum would, a minute after the load).
    await owner.query('ALTER TABLE service_call_records SET (autovacuum_enabled = false)');
  });
  afterAll(() => owner?.end());

  /** Pending results of the tenant, inserted as the owner. */
  const load = (count: number, from: number) =>
    owner.query(
      `INSERT INTO service_call_records (id, tenant_id, call_id, namespace, schema_identity, result, created_by)
       SELECT gen_random_uuid(), $1, 'call-' || g, 'core', 'agent.registration@1', '{"name": "a", "role": "b"}', 'test'
       FROM generate_series($2::int, $3::int) g`,
      [s.tenant.tenantId, from, from + count - 1],
    );

  /** Claims in the tenant's scope on `runner`'s connection, in a transaction rolled back: the records read and the rows scanned. */
  const claimCounted = async (runner: QueryRunner) => {
    await runner.startTransaction();
    try {
      const claim = await TenantScope.run(s.tenant.tenantId, () => s.t.app.get(OutboxRepository).claimDue(runner.manager, 100, HANDLED, s.tenant.tenantId));
      const [{ n }] = await runner.query(SEQUENTIAL_ROWS);
      return { records: claim.records.length, sequentialRows: Number(n) };
    } finally {
      await runner.rollbackTransaction();
    }
  };

  it('reads the records it claims by their key, not by scanning the table, once 50,000 results arrived after it was planned', async () => {
    await load(20, 1);
    await owner.query('ANALYZE service_call_records');
    const runner = s.t.app.get(DataSource).createQueryRunner();
    await runner.connect();
    try {
      // Every statement of this connection gets its generic plan at once (it would after five runs).
      await runner.query('SET plan_cache_mode = force_generic_plan');
      expect((await claimCounted(runner)).records).toBe(20);

      await load(LOADED, 100);
      const large = await claimCounted(runner);
      expect(large.records).toBe(100);
      // A plan that scans the table for each claimed record read it a hundred times (5,005,200 rows).
      expect(large.sequentialRows).toBeLessThan(LOADED);
    } finally {
      await runner.release();
    }
  });
});
