import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The natural key of an integrated object becomes (tenant, platform, original id, company): two
 * companies' ticket "123" in one tenant are two objects. NULLS NOT DISTINCT (PostgreSQL 15+, and
 * PGlite) keeps an object without a company unique per (tenant, platform, original id), as it was,
 * and lets ON CONFLICT name the key. Every row stays: the old key was stricter than the new one.
 */
export class IntegratedObjectsPerCompany1796552780638 implements MigrationInterface {
  name = 'IntegratedObjectsPerCompany1796552780638';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE UNIQUE INDEX "IDX_962d2ce94d32ecd81c02c92acb" ON "integrated_objects" ("tenant_id", "platform", "original_id", "company_id") NULLS NOT DISTINCT
        `);
    await queryRunner.query(`DROP INDEX "public"."IDX_6726417bd5d463aa53ba194c0e"`);
  }

  /** Refuses (and changes nothing) while one (tenant, platform, original id) has objects of several companies. */
  public async down(queryRunner: QueryRunner): Promise<void> {
    const shared: { n: number }[] = await queryRunner.query(`
            SELECT count(*)::int AS n FROM (
                SELECT 1 FROM "integrated_objects" GROUP BY "tenant_id", "platform", "original_id" HAVING count(*) > 1
            ) AS keys
        `);
    if (shared[0].n > 0) {
      throw new Error(
        `cannot revert IntegratedObjectsPerCompany: ${shared[0].n} (tenant, platform, original id) key(s) have objects of more than one company; delete or merge them first`,
      );
    }
    await queryRunner.query(`
            CREATE UNIQUE INDEX "IDX_6726417bd5d463aa53ba194c0e" ON "integrated_objects" ("tenant_id", "platform", "original_id")
        `);
    await queryRunner.query(`DROP INDEX "public"."IDX_962d2ce94d32ecd81c02c92acb"`);
  }
}
