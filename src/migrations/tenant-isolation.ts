import { QueryRunner } from 'typeorm';

/**
 * A row is visible and writable when its tenant is the session's (app.tenant_id). Until the
 * TenantPoliciesWithoutWildcard migration, '*' matched every tenant; that migration narrows the
 * policies it finds, and this helper makes new ones narrow from the start.
 */
const TENANT_MATCH = `tenant_id = current_setting('app.tenant_id', true)`;

/**
 * Row-level security for a tenant table: every migration that creates one calls this (a test
 * checks that every table with a tenant_id column has the policy). See the RowLevelSecurity migration.
 */
export async function enableTenantIsolation(queryRunner: QueryRunner, table: string): Promise<void> {
  await queryRunner.query(`ALTER TABLE "${table}" ENABLE ROW LEVEL SECURITY`);
  await queryRunner.query(`CREATE POLICY "tenant_isolation" ON "${table}" USING (${TENANT_MATCH}) WITH CHECK (${TENANT_MATCH})`);
}

export async function disableTenantIsolation(queryRunner: QueryRunner, table: string): Promise<void> {
  await queryRunner.query(`DROP POLICY "tenant_isolation" ON "${table}"`);
  await queryRunner.query(`ALTER TABLE "${table}" DISABLE ROW LEVEL SECURITY`);
}
