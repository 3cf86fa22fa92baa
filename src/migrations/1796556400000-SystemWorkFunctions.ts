import { MigrationInterface, QueryRunner } from 'typeorm';
import { grantToServiceRoles } from './service-role-functions';

/** Every function below, as DROP and GRANT name them. */
const SIGNATURES = [
  `"api_key_by_hash"(text)`,
  `"api_key_tenant"(uuid)`,
  `"api_keys_overview"(text)`,
  `"api_keys_mark_used"(uuid[])`,
  `"outbox_due"(integer)`,
  `"outbox_due_without_handler"(integer, text[], text[])`,
  `"outbox_postpone"(uuid[], integer)`,
  `"outbox_record_tenant"(uuid)`,
  `"outbox_totals"()`,
  `"outbox_pending_by_tenant"(integer)`,
  `"status_counts"()`,
  `"outbox_dead_letters"(text, text, text, text[], timestamptz, uuid[], uuid, integer)`,
  `"outbox_dead_letter_count"(text, text, text, text[], timestamptz, uuid[])`,
  `"idempotency_keys_purge"(integer)`,
];

/**
 * `outbox_due_without_handler` with these settings (SET clauses), as this migration creates it and
 * as SweeperReadsOneWorkList's `down` restores it.
 */
export const outboxDueWithoutHandler = (settings: string) => `
            CREATE FUNCTION "outbox_due_without_handler"(max_rows integer, handled_exact text[], handled_core text[])
            RETURNS TABLE (id uuid, tenant_id text)
            LANGUAGE sql STABLE SECURITY DEFINER ${settings}
            AS \$\$
                SELECT r.id, r.tenant_id FROM service_call_records r
                WHERE r.status = 'pending' AND r.attempts = 0 AND r.next_attempt_at <= now()
                  AND NOT (r.namespace || '/' || r.schema_identity = ANY(handled_exact) OR r.schema_identity = ANY(handled_core))
                ORDER BY r.next_attempt_at LIMIT max_rows
            \$\$
        `;

/**
 * The service's work across tenants, as functions that do exactly that work and return only what
 * it needs. They run with the rights of their owner (the role that runs the migrations, which owns
 * the tables and so is not bound by the tenant policies), with a pinned search_path; the service
 * role may call them but reads no other tenant's rows itself:
 *
 * - `api_key_by_hash`: the active key with this hash (its tenant is what the lookup finds out);
 * - `api_key_tenant`, `api_keys_overview`: which tenant a key belongs to, and the keys of every
 *   tenant without their hashes (the command line's `revoke`, `rotate` and `list`);
 * - `api_keys_mark_used`: `last_used_at` of keys of any tenant (batched, off the request path);
 * - `outbox_due`, `outbox_due_without_handler`, `outbox_postpone`: the sweeper's work list and its
 *   scheduling hint (ids, tenants and keys of pending records: never their results);
 * - `outbox_record_tenant`: the tenant of a record known by id only (a job without one);
 * - `outbox_totals`, `outbox_pending_by_tenant`, `status_counts`: the gauges of /metrics (counts);
 * - `outbox_dead_letters`, `outbox_dead_letter_count`: the admin routes' dead letters of every tenant
 *   (what the list shows: keys, attempts, reason; never the result);
 * - `idempotency_keys_purge`: expired Idempotency-Keys of every tenant.
 *
 * Nobody but the service role may call them (see grantToServiceRoles).
 */
export class SystemWorkFunctions1796556400000 implements MigrationInterface {
  name = 'SystemWorkFunctions1796556400000';

  public async up(queryRunner: QueryRunner): Promise<void> {
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
            CREATE FUNCTION "api_key_tenant"(key_id uuid) RETURNS text
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
            AS \$\$ SELECT k.tenant_id FROM api_keys k WHERE k.id = key_id \$\$
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
    await queryRunner.query(`
            CREATE FUNCTION "api_keys_mark_used"(key_ids uuid[]) RETURNS void
            LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
            AS \$\$ UPDATE api_keys SET last_used_at = now() WHERE id = ANY(key_ids) \$\$
        `);
    await queryRunner.query(`
            CREATE FUNCTION "outbox_due"(max_rows integer)
            RETURNS TABLE (id uuid, tenant_id text, call_id text, schema_identity text, attempts integer)
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
            AS \$\$
                SELECT r.id, r.tenant_id, r.call_id, r.schema_identity, r.attempts FROM service_call_records r
                WHERE r.status = 'pending' AND r.next_attempt_at <= now()
                ORDER BY r.next_attempt_at LIMIT max_rows
            \$\$
        `);
    await queryRunner.query(outboxDueWithoutHandler('SET search_path = public, pg_temp'));
    await queryRunner.query(`
            CREATE FUNCTION "outbox_postpone"(record_ids uuid[], delay_ms integer) RETURNS void
            LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
            AS \$\$
                UPDATE service_call_records SET next_attempt_at = now() + (delay_ms * interval '1 millisecond')
                WHERE id = ANY(record_ids) AND status = 'pending'
            \$\$
        `);
    await queryRunner.query(`
            CREATE FUNCTION "outbox_record_tenant"(record_id uuid) RETURNS text
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
            AS \$\$ SELECT r.tenant_id FROM service_call_records r WHERE r.id = record_id \$\$
        `);
    await queryRunner.query(`
            CREATE FUNCTION "outbox_totals"()
            RETURNS TABLE (dead_lettered integer, pending integer, oldest_pending_seconds float8)
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
            AS \$\$
                SELECT count(*) FILTER (WHERE r.status = 'dead_lettered')::int,
                       count(*) FILTER (WHERE r.status = 'pending')::int,
                       extract(epoch FROM now() - min(r.created_at) FILTER (WHERE r.status = 'pending'))::float8
                FROM service_call_records r WHERE r.status IN ('pending', 'dead_lettered')
            \$\$
        `);
    await queryRunner.query(`
            CREATE FUNCTION "outbox_pending_by_tenant"(max_tenants integer)
            RETURNS TABLE (tenant_id text, pending integer)
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
            AS \$\$
                SELECT r.tenant_id, count(*)::int AS pending FROM service_call_records r
                WHERE r.status = 'pending' GROUP BY r.tenant_id ORDER BY pending DESC, r.tenant_id LIMIT max_tenants
            \$\$
        `);
    await queryRunner.query(`
            CREATE FUNCTION "status_counts"()
            RETURNS TABLE (kind text, status text, n integer)
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
            AS \$\$
                SELECT 'agents', a.status, count(*)::int FROM agents a GROUP BY a.status
                UNION ALL
                SELECT 'tasks', t.status, count(*)::int FROM tasks t GROUP BY t.status
            \$\$
        `);
    // The filter of the admin routes: every argument may be NULL (no condition); an empty ids array matches nothing.
    const deadLetterFilter = `r.status = 'dead_lettered'
                  AND (tenant IS NULL OR r.tenant_id = tenant)
                  AND (ns IS NULL OR r.namespace = ns)
                  AND (schema_id IS NULL OR r.schema_identity = schema_id)
                  AND (excluded_namespaces IS NULL OR r.namespace <> ALL(excluded_namespaces))
                  AND (since IS NULL OR r.updated_at >= since)
                  AND (record_ids IS NULL OR r.id = ANY(record_ids))`;
    const deadLetterArguments = 'tenant text, ns text, schema_id text, excluded_namespaces text[], since timestamptz, record_ids uuid[]';
    await queryRunner.query(`
            CREATE FUNCTION "outbox_dead_letters"(${deadLetterArguments}, after_id uuid, max_rows integer)
            RETURNS TABLE (id uuid, tenant_id text, call_id text, namespace text, schema_identity text, attempts integer,
                           last_error text, correlation_id text, created_at timestamptz, updated_at timestamptz)
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
            AS \$\$
                SELECT r.id, r.tenant_id, r.call_id, r.namespace, r.schema_identity, r.attempts,
                       r.last_error, r.correlation_id, r.created_at, r.updated_at
                FROM service_call_records r
                WHERE ${deadLetterFilter} AND (after_id IS NULL OR r.id > after_id)
                ORDER BY r.id LIMIT max_rows
            \$\$
        `);
    await queryRunner.query(`
            CREATE FUNCTION "outbox_dead_letter_count"(${deadLetterArguments}) RETURNS integer
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
            AS \$\$ SELECT count(*)::int FROM service_call_records r WHERE ${deadLetterFilter} \$\$
        `);
    await queryRunner.query(`
            CREATE FUNCTION "idempotency_keys_purge"(max_rows integer) RETURNS integer
            LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
            AS \$\$
                WITH gone AS (
                    DELETE FROM idempotency_keys
                    WHERE ctid = ANY(ARRAY(SELECT ctid FROM idempotency_keys WHERE expires_at <= now() LIMIT max_rows))
                    RETURNING 1
                )
                SELECT count(*)::int FROM gone
            \$\$
        `);
    await grantToServiceRoles(queryRunner, SIGNATURES, 'api_keys');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const signature of [...SIGNATURES].reverse()) await queryRunner.query(`DROP FUNCTION ${signature}`);
  }
}
