import { QueryRunner } from 'typeorm';

/**
 * Lets only the service role call these functions (the security-definer functions of the work
 * across tenants): EXECUTE is revoked from PUBLIC and granted to the roles that may already read
 * `table` (other than its owner), so that a deployment made before the functions keeps working. A
 * new deployment's role script grants EXECUTE by default privileges (deploy/postgres/init-roles.sh).
 */
export async function grantToServiceRoles(queryRunner: QueryRunner, signatures: string[], table: string): Promise<void> {
  for (const signature of signatures) await queryRunner.query(`REVOKE ALL ON FUNCTION ${signature} FROM PUBLIC`);
  await queryRunner.query(`
            DO \$\$
            DECLARE grantee regrole;
            BEGIN
                FOR grantee IN
                    SELECT DISTINCT a.grantee::regrole FROM pg_class c, aclexplode(c.relacl) a
                    WHERE c.oid = '${table}'::regclass AND a.privilege_type = 'SELECT' AND a.grantee NOT IN (0, c.relowner)
                LOOP
                    EXECUTE format('GRANT EXECUTE ON FUNCTION ${signatures.join(', ')} TO %s', grantee);
                END LOOP;
            END
            \$\$
        `);
}
