import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { uuidv7 } from '../../src/common/persistence/uuid-v7';
import { ServiceCallStatus } from '../../src/modules/outbox/service-call-record.entity';

/**
 * Inserts an outbox record straight into the database (no wake-up reaches Redis), received
 * `ageSeconds` ago. A pending one is not due for a day unless `dueInSeconds` says otherwise (a
 * negative value: overdue), so no worker or sweeper of a test app picks it up meanwhile. By
 * default its result is of a schema no handler serves.
 */
export async function insertServiceCallRow(
  dataSource: DataSource,
  tenantId: string,
  overrides: { status?: ServiceCallStatus; ageSeconds?: number; dueInSeconds?: number; namespace?: string; schema?: string; result?: object } = {},
): Promise<string> {
  const id = uuidv7();
  await dataSource.query(
    `INSERT INTO service_call_records (id, tenant_id, call_id, namespace, schema_identity, result, status, created_by, created_at, next_attempt_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'test', now() - make_interval(secs => $8), now() + make_interval(secs => $9))`,
    [
      id,
      tenantId,
      `call-${randomUUID()}`,
      overrides.namespace ?? 'test',
      overrides.schema ?? 'nothing.handles.this@1',
      JSON.stringify(overrides.result ?? {}),
      overrides.status ?? 'pending',
      overrides.ageSeconds ?? 0,
      overrides.dueInSeconds ?? 86_400,
    ],
  );
  return id;
}
