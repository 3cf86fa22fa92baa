import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The primary key of `domain_events` becomes (tenant_id, xid, id), the feed's own order, instead
 * of `id` alone: the feed index and the key were two indexes of the same rows, and every event
 * written paid for both. `id` is still drawn from its sequence (unique by itself); nothing looks
 * an event up by `id` alone, and nothing references the table. On a large log the upgrade holds the
 * table's lock while the new key is built (one index build, as long as the feed index took).
 */
export class EventKeyInFeedOrder1796571000000 implements MigrationInterface {
  name = 'EventKeyInFeedOrder1796571000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "domain_events" DROP CONSTRAINT "PK_66e0920a32dda3a89b46ee7a981"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_domain_events_feed"`);
    await queryRunner.query(`ALTER TABLE "domain_events" ADD CONSTRAINT "PK_7bb9404b3bc7d4a51079439e8ae" PRIMARY KEY ("tenant_id", "xid", "id")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "domain_events" DROP CONSTRAINT "PK_7bb9404b3bc7d4a51079439e8ae"`);
    await queryRunner.query(`CREATE INDEX "IDX_domain_events_feed" ON "domain_events" ("tenant_id", "xid", "id")`);
    await queryRunner.query(`ALTER TABLE "domain_events" ADD CONSTRAINT "PK_66e0920a32dda3a89b46ee7a981" PRIMARY KEY ("id")`);
  }
}
