import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The batched drain: an index in the order the drain claims fresh results (results with a
 * priority first, 1 before 2, then the rest; oldest first within each), and the database's own
 * identity, written once, which every queue job carries so that a worker never processes the job
 * of another database that shares its Redis (see src/database/database-identity.ts).
 */
export class OutboxBatchedDrain1796546506449 implements MigrationInterface {
  name = 'OutboxBatchedDrain1796546506449';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "service_call_records_drain" ON "service_call_records" ((priority = 0), "priority", "id") WHERE status = 'pending' AND attempts = 0`,
    );
    await queryRunner.query(
      `CREATE TABLE "database_identity" ("singleton" boolean PRIMARY KEY DEFAULT true CHECK ("singleton"), "id" uuid NOT NULL DEFAULT gen_random_uuid(), "created_at" timestamptz NOT NULL DEFAULT now())`,
    );
    await queryRunner.query(`INSERT INTO "database_identity" DEFAULT VALUES`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "database_identity"`);
    await queryRunner.query(`DROP INDEX "service_call_records_drain"`);
  }
}
