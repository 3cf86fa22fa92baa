import { MigrationInterface, QueryRunner } from 'typeorm';
import { disableTenantIsolation, enableTenantIsolation } from './tenant-isolation';

/** Every table that holds tenant rows at this point of the schema. */
const TENANT_TABLES = [
  'agents',
  'workflows',
  'tasks',
  'task_dependencies',
  'messages',
  'health_records',
  'agent_metrics',
  'system_metrics',
  'service_call_records',
  'persisted_chunks',
  'domain_events',
  'action_logs',
  'job_results',
  'insights',
  'patterns',
  'api_keys',
];

/**
 * Row-level security as a second line of tenant isolation: a role that does not bypass it (the
 * service's role; see the README) sees and writes only the rows of the tenant in the session
 * setting app.tenant_id, or every row when it is '*' (system work). Without the setting it sees
 * nothing. The owner role that runs the migrations bypasses the policies, as table owners do.
 */
export class RowLevelSecurity1795324113659 implements MigrationInterface {
  name = 'RowLevelSecurity1795324113659';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of TENANT_TABLES) await enableTenantIsolation(queryRunner, table);
    // A full-text match (@@) is not leakproof, so under row-level security PostgreSQL may not use
    // the GIN index for it and scans the tenant's insights instead. This function finds the
    // matching ids with the owner's rights, restricted by hand to the session's tenant; the
    // caller then reads the rows themselves under the policies.
    await queryRunner.query(`
            CREATE FUNCTION "insight_matches"(query tsquery, domain_filter text)
            RETURNS TABLE (id uuid, rank real)
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
            AS \$\$
                SELECT i.id, ts_rank(i.search, query)
                FROM insights i
                WHERE i.tenant_id = current_setting('app.tenant_id', true)
                  AND i.search @@ query
                  AND (domain_filter IS NULL OR i.domain = domain_filter)
            \$\$
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION "insight_matches"(tsquery, text)`);
    for (const table of [...TENANT_TABLES].reverse()) await disableTenantIsolation(queryRunner, table);
  }
}
