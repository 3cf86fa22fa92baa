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
  async function insertRecords(tenantId: string, priorities: number[]): Promise<string[]> {
    const ids: string[] = [];
    for (const priority of priorities) {
      const id = uuidv7();
      await s.db.query(
        `INSERT INTO service_call_records (id, tenant_id, call_id, namespace, schema_identity, result, status, priority, created_by)
         VALUES ($1, $2, $3, 'test', $4, '{}', 'pending', $5, 'test')`,
        [id, tenantId, `call-${randomUUID()}`, SCHEMA, priority],
      );
      ids.push(id);
    }
    return ids;
  }

  it('claims by priority (1 first, none last), then oldest first, and gives every record as it was read and locked', async () => {
    const ids = await insertRecords(s.tenant.tenantId, [0, 3, 1, 0, 2, 1]);
    const dataSource = s.t.app.get(DataSource);
    const records = s.t.app.get(OutboxRepository);

    const claimed = await TenantScope.run(s.tenant.tenantId, () =>
      dataSource.transaction((manager) => records.claimDue(manager, 10, { exact: [`test/${SCHEMA}`], core: [] }, s.tenant.tenantId)),
    );

    expect(claimed.map((record) => record.id)).toEqual([ids[2], ids[5], ids[4], ids[1], ids[0], ids[3]]);
    expect(claimed.every((record) => record.status === 'pending' && record.schemaIdentity === SCHEMA && record.tenantId === s.tenant.tenantId)).toBe(true);
  });
});
