import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { uuidv7 } from '../../src/common/persistence/uuid-v7';
import { ServiceCallStatus } from '../../src/modules/outbox/service-call-record.entity';

/**
 * Inserts an outbox record straight into the database, received `ageSeconds` ago. A pending one
 * is not due for a day, so no worker or sweeper of a test app picks it up meanwhile.
 */
export async function insertServiceCallRow(
  dataSource: DataSource,
  tenantId: string,
  overrides: { status?: ServiceCallStatus; ageSeconds?: number } = {},
): Promise<string> {
  const id = uuidv7();
  await dataSource.query(
    `INSERT INTO service_call_records (id, tenant_id, call_id, namespace, schema_identity, result, status, created_by, created_at, next_attempt_at)
     VALUES ($1, $2, $3, 'test', 'nothing.handles.this@1', '{}', $4, 'test', now() - make_interval(secs => $5), now() + interval '1 day')`,
    [id, tenantId, `call-${randomUUID()}`, overrides.status ?? 'pending', overrides.ageSeconds ?? 0],
  );
  return id;
}
