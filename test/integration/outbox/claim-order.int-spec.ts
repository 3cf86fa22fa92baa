import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { uuidv7 } from '../../../src/common/persistence/uuid-v7';
import { TenantScope } from '../../../src/common/tenancy/tenant-scope';
import { OutboxRepository } from '../../../src/modules/outbox/outbox.repository';
import { useTwoTenants } from '../../utils/test-app';

/** A schema no handler of any test app has: only this file's claims take these records. */
const SCHEMA = 'claim-order@1';

describe('outbox claim: the order of a batch', () => {
  const s = useTwoTenants();

  /** Pending records of the tenant, oldest first, with these priorities (0: none); returns their ids. */
  async function insertRecords(tenantId: string, priorities: number[], schema = SCHEMA): Promise<string[]> {
    const ids: string[] = [];
    for (const priority of priorities) {
      const id = uuidv7();
      await s.db.query(
        `INSERT INTO service_call_records (id, tenant_id, call_id, namespace, schema_identity, result, status, priority, created_by)
         VALUES ($1, $2, $3, 'test', $4, '{}', 'pending', $5, 'test')`,
        [id, tenantId, `call-${randomUUID()}`, schema, priority],
      );
      ids.push(id);
    }
    return ids;
  }

  it('claims by priority (1 first, none last), then oldest first, and gives every record as it was read and locked', async () => {
    const ids = await insertRecords(s.tenant.tenantId, [0, 3, 1, 0, 2, 1]);
    const dataSource = s.t.app.get(DataSource);
    const records = s.t.app.get(OutboxRepository);

    const { records: claimed } = await TenantScope.run(s.tenant.tenantId, () =>
      dataSource.transaction((manager) => records.claimDue(manager, 10, { exact: [`test/${SCHEMA}`], core: [] }, s.tenant.tenantId)),
    );

    expect(claimed.map((record) => record.id)).toEqual([ids[2], ids[5], ids[4], ids[1], ids[0], ids[3]]);
    expect(claimed.every((record) => record.status === 'pending' && record.schemaIdentity === SCHEMA && record.tenantId === s.tenant.tenantId)).toBe(true);
  });

  it('claims the results of one tenant, that of the first due result, and says whether other due results remain', async () => {
    const schema = 'claim-tenants@1';
    const handled = { exact: [`test/${schema}`], core: [] };
    const [other1] = await insertRecords(s.other.tenantId, [0], schema);
    const [mine1] = await insertRecords(s.tenant.tenantId, [0], schema);
    const [other2] = await insertRecords(s.other.tenantId, [0], schema);
    const [mine2, mine3] = await insertRecords(s.tenant.tenantId, [0, 0], schema);
    const dataSource = s.t.app.get(DataSource);
    const records = s.t.app.get(OutboxRepository);
    const ids = (claim: { records: { id: string }[] }) => claim.records.map((record) => record.id);

    // Two batches at once: the first takes the tenant of the oldest result, the second (skipping
    // what the first holds) the other tenant; each knows that results of the other remain.
    const [first, second] = await dataSource.transaction(async (a) => {
      const taken = await records.claimDue(a, 10, handled);
      return [taken, await dataSource.transaction((b) => records.claimDue(b, 10, handled))];
    });
    expect({ ids: ids(first), more: first.more }).toEqual({ ids: [other1, other2], more: true });
    expect(first.records.every((record) => record.tenantId === s.other.tenantId && record.status === 'pending')).toBe(true);
    expect({ ids: ids(second), more: second.more }).toEqual({ ids: [mine1, mine2, mine3], more: true });

    // A batch that takes all that is due says so.
    await s.db.query(`UPDATE service_call_records SET status = 'persisted' WHERE id = ANY($1::uuid[])`, [[other1, other2]]);
    const last = await dataSource.transaction((manager) => records.claimDue(manager, 10, handled));
    expect({ ids: ids(last), more: last.more }).toEqual({ ids: [mine1, mine2, mine3], more: false });
    // A batch that is full says that more of its tenant's remain.
    const full = await dataSource.transaction((manager) => records.claimDue(manager, 2, handled));
    expect({ ids: ids(full), more: full.more }).toEqual({ ids: [mine1, mine2], more: true });
  });

  it('takes a batch by reading about as many records as it takes, not the whole backlog, whatever the statistics say', async () => {
    const backlog = 5000;
    // One transaction of the owner, rolled back: statistics of a table whose records are all
    // persisted (the few pending ones of other tests set aside), taken before a backlog arrived.
    // Planned from them, a claim expected a pending record or two and read every pending record
    // to sort them.
    const fetched = await s.db
      .transaction(async (manager) => {
        const insert = (count: number, status: string) =>
          manager.query(
            `INSERT INTO service_call_records (id, tenant_id, call_id, namespace, schema_identity, result, status, created_by)
             SELECT gen_random_uuid(), $1, 'backlog-' || gen_random_uuid(), 'test', $2, '{}', $3, 'test' FROM generate_series(1, $4)`,
            [s.tenant.tenantId, SCHEMA, status, count],
          );
        await manager.query(`UPDATE service_call_records SET status = 'persisted' WHERE status = 'pending'`);
        await insert(20_000, 'persisted');
        await manager.query('ANALYZE service_call_records');
        await insert(backlog, 'pending');

        // The rows this transaction has read of the table so far.
        const read = async () => {
          const [row]: { fetched: string }[] = await manager.query(
            `SELECT (seq_tup_read + idx_tup_fetch)::text AS fetched FROM pg_stat_xact_user_tables WHERE relname = 'service_call_records'`,
          );
          return Number(row.fetched);
        };
        const before = await read();
        const claimed: unknown[] = await manager.query(`SELECT * FROM outbox_claim(100, $1, '{}')`, [[`test/${SCHEMA}`]]);
        const afterClaim = await read();
        // The sweeper's look for due records, another walk of the pending records in order.
        const due: unknown[] = await manager.query('SELECT * FROM outbox_due(100)');
        const afterDue = await read();
        expect(claimed).toHaveLength(100);
        expect(due).toHaveLength(100);
        throw new RolledBack({ claim: afterClaim - before, due: afterDue - afterClaim });
      })
      .catch((error: unknown) => {
        if (error instanceof RolledBack) return error.fetched;
        throw error;
      });

    expect(fetched.claim).toBeLessThan(backlog / 10);
    expect(fetched.due).toBeLessThan(backlog / 10);
  });
});

/** Ends a transaction whose writes must not stay, with what it measured. */
class RolledBack extends Error {
  constructor(readonly fetched: { claim: number; due: number }) {
    super('rolled back');
  }
}
