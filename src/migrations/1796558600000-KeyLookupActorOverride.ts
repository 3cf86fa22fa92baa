import { MigrationInterface, QueryRunner } from 'typeorm';
import { grantToServiceRoles } from './service-role-functions';

const SIGNATURES = [`"api_key_by_hash"(text)`, `"api_keys_overview"(text)`];

/**
 * The key lookup and the key list across tenants (SystemWorkFunctions) also return whether the
 * key may name its actor (`actor_override`, KeyAuthorship): a function's result type cannot be
 * changed in place, so both are made again, with the same rights.
 */
export class KeyLookupActorOverride1796558600000 implements MigrationInterface {
  name = 'KeyLookupActorOverride1796558600000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const signature of SIGNATURES) await queryRunner.query(`DROP FUNCTION ${signature}`);
    await queryRunner.query(`
            CREATE FUNCTION "api_key_by_hash"(hash text)
            RETURNS TABLE (id uuid, tenant_id text, name text, expires_at timestamptz, actor_override boolean)
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
            AS \$\$
                SELECT k.id, k.tenant_id, k.name, k.expires_at, k.actor_override FROM api_keys k
                WHERE k.key_hash = hash AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())
            \$\$
        `);
    await queryRunner.query(`
            CREATE FUNCTION "api_keys_overview"(tenant text)
            RETURNS TABLE (id uuid, tenant_id text, name text, key_prefix text, created_at timestamptz,
                           revoked_at timestamptz, expires_at timestamptz, last_used_at timestamptz, actor_override boolean)
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
            AS \$\$
                SELECT k.id, k.tenant_id, k.name, k.key_prefix, k.created_at, k.revoked_at, k.expires_at, k.last_used_at, k.actor_override
                FROM api_keys k WHERE tenant IS NULL OR k.tenant_id = tenant
                ORDER BY k.created_at, k.id
            \$\$
        `);
    await grantToServiceRoles(queryRunner, SIGNATURES, 'api_keys');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const signature of SIGNATURES) await queryRunner.query(`DROP FUNCTION ${signature}`);
    await queryRunner.query(`
            CREATE FUNCTION "api_key_by_hash"(hash text)
            RETURNS TABLE (id uuid, tenant_id text, name text, expires_at timestamptz)
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
            AS \$\$
                SELECT k.id, k.tenant_id, k.name, k.expires_at FROM api_keys k
                WHERE k.key_hash = hash AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())
            \$\$
        `);
    await queryRunner.query(`
            CREATE FUNCTION "api_keys_overview"(tenant text)
            RETURNS TABLE (id uuid, tenant_id text, name text, key_prefix text, created_at timestamptz,
                           revoked_at timestamptz, expires_at timestamptz, last_used_at timestamptz)
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
            AS \$\$
                SELECT k.id, k.tenant_id, k.name, k.key_prefix, k.created_at, k.revoked_at, k.expires_at, k.last_used_at
                FROM api_keys k WHERE tenant IS NULL OR k.tenant_id = tenant
                ORDER BY k.created_at, k.id
            \$\$
        `);
    await grantToServiceRoles(queryRunner, SIGNATURES, 'api_keys');
  }
}
