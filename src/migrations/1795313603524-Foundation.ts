import { MigrationInterface, QueryRunner } from 'typeorm';

export class Foundation1795313603524 implements MigrationInterface {
  name = 'Foundation1795313603524';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "api_keys" (
                "id" uuid NOT NULL,
                "tenant_id" text NOT NULL,
                "name" text NOT NULL,
                "key_prefix" text NOT NULL,
                "key_hash" text NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "revoked_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_5c8a79801b44bd27b79228e1dad" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "IDX_57384430aa1959f4578046c9b8" ON "api_keys" ("key_hash")
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_cc62c14efd93e5c86b23d852be" ON "api_keys" ("tenant_id", "name")
        `);
    await queryRunner.query(`
            CREATE TABLE "domain_events" (
                "id" BIGSERIAL NOT NULL,
                "tenant_id" text NOT NULL,
                "type" text NOT NULL,
                "aggregate_type" text NOT NULL,
                "aggregate_id" uuid NOT NULL,
                "aggregate_version" integer,
                "actor_id" text NOT NULL,
                "correlation_id" text,
                "payload" jsonb NOT NULL DEFAULT '{}'::jsonb,
                "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_66e0920a32dda3a89b46ee7a981" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_496f8e52815a617cd48f25f3ff" ON "domain_events" ("tenant_id", "type", "id")
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_3c2b25d240613f5f47cd2d4b08" ON "domain_events" ("tenant_id", "aggregate_id", "id")
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_467116f50abca1b1318924ebd5" ON "domain_events" ("tenant_id", "id")
        `);
    await queryRunner.query(`
            CREATE TABLE "agents" (
                "id" uuid NOT NULL,
                "version" integer NOT NULL DEFAULT '1',
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "tenant_id" text NOT NULL,
                "name" text NOT NULL,
                "role" text NOT NULL,
                "description" text,
                "status" text NOT NULL DEFAULT 'idle',
                "metadata" jsonb NOT NULL DEFAULT '{}'::jsonb,
                "last_heartbeat_at" TIMESTAMP WITH TIME ZONE,
                "created_by" text NOT NULL,
                "updated_by" text NOT NULL,
                CONSTRAINT "agents_status_check" CHECK (status IN ('idle', 'busy', 'offline', 'error')),
                CONSTRAINT "PK_9c653f28ae19c5884d5baf6a1d9" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_80ce5566548fba7021afb2f057" ON "agents" ("tenant_id", "role", "id")
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_026860f4b5538fe33480364501" ON "agents" ("tenant_id", "status", "id")
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_10a5c6ea37ca8db23b6d928361" ON "agents" ("tenant_id", "id")
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "public"."IDX_10a5c6ea37ca8db23b6d928361"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_026860f4b5538fe33480364501"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_80ce5566548fba7021afb2f057"
        `);
    await queryRunner.query(`
            DROP TABLE "agents"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_467116f50abca1b1318924ebd5"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_3c2b25d240613f5f47cd2d4b08"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_496f8e52815a617cd48f25f3ff"
        `);
    await queryRunner.query(`
            DROP TABLE "domain_events"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_cc62c14efd93e5c86b23d852be"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_57384430aa1959f4578046c9b8"
        `);
    await queryRunner.query(`
            DROP TABLE "api_keys"
        `);
  }
}
