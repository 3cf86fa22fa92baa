import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Events are served in commit-safe order: each row records the id of the transaction that wrote it
 * (`pg_current_xact_id()`, the top-level transaction even inside a savepoint), and the feed serves
 * only transactions older than every transaction still running, ordered by (xid, id). Rows written
 * before this migration get xid 0: they keep their id order, ahead of every later event.
 *
 * `event_cursor_keys` holds the one secret that seals feed positions into opaque cursors, so a
 * tenant cannot read from its positions how much the rest of the database wrote (see docs/events.md).
 * It is made here, in the database every API process shares, from PostgreSQL's random uuids.
 */
export class EventCommitOrder1796552097450 implements MigrationInterface {
  name = 'EventCommitOrder1796552097450';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // Two steps: existing rows take 0 without a table rewrite, new rows their transaction's id.
    await queryRunner.query(`ALTER TABLE "domain_events" ADD "xid" bigint NOT NULL DEFAULT 0`);
    // A function, so that the column default reads back exactly as the entity declares it.
    await queryRunner.query(`CREATE FUNCTION "current_xid"() RETURNS bigint LANGUAGE sql VOLATILE AS 'SELECT pg_current_xact_id()::text::bigint'`);
    await queryRunner.query(`ALTER TABLE "domain_events" ALTER COLUMN "xid" SET DEFAULT current_xid()`);
    await queryRunner.query(`DROP INDEX "public"."IDX_496f8e52815a617cd48f25f3ff"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_3c2b25d240613f5f47cd2d4b08"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_467116f50abca1b1318924ebd5"`);
    await queryRunner.query(`CREATE INDEX "IDX_domain_events_feed" ON "domain_events" ("tenant_id", "xid", "id")`);
    await queryRunner.query(`CREATE INDEX "IDX_domain_events_feed_by_type" ON "domain_events" ("tenant_id", "type", "xid", "id")`);
    await queryRunner.query(`CREATE INDEX "IDX_domain_events_feed_by_aggregate" ON "domain_events" ("tenant_id", "aggregate_id", "xid", "id")`);
    await queryRunner.query(`
            CREATE TABLE "event_cursor_keys" (
                "id" smallint NOT NULL DEFAULT 1 CHECK ("id" = 1),
                "secret" text NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_event_cursor_keys" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(
      `INSERT INTO "event_cursor_keys" ("secret") VALUES (replace(gen_random_uuid()::text || gen_random_uuid()::text || gen_random_uuid()::text, '-', ''))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "event_cursor_keys"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_domain_events_feed_by_aggregate"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_domain_events_feed_by_type"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_domain_events_feed"`);
    await queryRunner.query(`CREATE INDEX "IDX_467116f50abca1b1318924ebd5" ON "domain_events" ("tenant_id", "id")`);
    await queryRunner.query(`CREATE INDEX "IDX_3c2b25d240613f5f47cd2d4b08" ON "domain_events" ("tenant_id", "aggregate_id", "id")`);
    await queryRunner.query(`CREATE INDEX "IDX_496f8e52815a617cd48f25f3ff" ON "domain_events" ("tenant_id", "type", "id")`);
    await queryRunner.query(`ALTER TABLE "domain_events" DROP COLUMN "xid"`);
    await queryRunner.query(`DROP FUNCTION "current_xid"()`);
  }
}
