import { MigrationInterface, QueryRunner } from 'typeorm';
import { grantToServiceRoles } from './service-role-functions';

const CONCRETE = `tenant_id = current_setting('app.tenant_id', true)`;
const WITH_WILDCARD = `tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.tenant_id', true) = '*'`;

/** Sets the expression of every tenant policy (the tables are found in the catalog, so none is missed). */
function alterEveryTenantPolicy(expression: string): string {
  return `
            DO \$\$
            DECLARE tenant_table regclass;
            BEGIN
                FOR tenant_table IN SELECT polrelid::regclass FROM pg_policy WHERE polname = 'tenant_isolation' LOOP
                    EXECUTE format('ALTER POLICY "tenant_isolation" ON %s USING (%s) WITH CHECK (%s)', tenant_table, $p$${expression}$p$, $p$${expression}$p$);
                END LOOP;
            END
            \$\$
        `;
}

/**
 * The tenant policies match one concrete tenant only: the wildcard (`app.tenant_id = '*'`) that let
 * system work see every tenant is gone, so SQL run as the service role can no longer widen its
 * scope to all tenants. The last piece of system work that needed it, the outbox drain's claim of
 * due results across tenants, goes through `outbox_claim`: it locks the records and returns their
 * ids and tenants only; the drain then reads and changes each record in its own tenant's scope.
 */
export class TenantPoliciesWithoutWildcard1796560000000 implements MigrationInterface {
  name = 'TenantPoliciesWithoutWildcard1796560000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE FUNCTION "outbox_claim"(max_rows integer, handled_exact text[], handled_core text[])
            RETURNS TABLE (id uuid, tenant_id text)
            LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
            AS \$\$
                SELECT r.id, r.tenant_id FROM service_call_records r
                WHERE r.status = 'pending' AND r.attempts = 0
                  AND (r.namespace || '/' || r.schema_identity = ANY(handled_exact) OR r.schema_identity = ANY(handled_core))
                ORDER BY (r.priority = 0), r.priority, r.id
                LIMIT max_rows
                FOR UPDATE SKIP LOCKED
            \$\$
        `);
    await grantToServiceRoles(queryRunner, [`"outbox_claim"(integer, text[], text[])`], 'service_call_records');
    await queryRunner.query(alterEveryTenantPolicy(CONCRETE));
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(alterEveryTenantPolicy(WITH_WILDCARD));
    await queryRunner.query(`DROP FUNCTION "outbox_claim"(integer, text[], text[])`);
  }
}
