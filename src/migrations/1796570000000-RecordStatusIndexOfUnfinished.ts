import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The index of records by status leaves out persisted ones. Every result the drain persists
 * changed its status and so wrote an entry into it, for a status that listing never needs an index
 * for (most records are persisted: they are read in id order, the status a filter). It now holds
 * pending, skipped and dead-lettered records only: a persisted record writes one index entry less,
 * and the dead letters are read from a small index.
 */
export class RecordStatusIndexOfUnfinished1796570000000 implements MigrationInterface {
  name = 'RecordStatusIndexOfUnfinished1796570000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_cf1bbe81f9fb2b243ccf83f626"`);
    await queryRunner.query(
      `CREATE INDEX "service_call_records_unfinished" ON "service_call_records" ("tenant_id", "status", "id") WHERE status <> 'persisted'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."service_call_records_unfinished"`);
    await queryRunner.query(`CREATE INDEX "IDX_cf1bbe81f9fb2b243ccf83f626" ON "service_call_records" ("tenant_id", "status", "id")`);
  }
}
