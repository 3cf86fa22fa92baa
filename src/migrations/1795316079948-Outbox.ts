import { MigrationInterface, QueryRunner } from 'typeorm';

export class Outbox1795316079948 implements MigrationInterface {
  name = 'Outbox1795316079948';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "job_results" (
                "id" uuid NOT NULL,
                "tenant_id" text NOT NULL,
                "job_id" text NOT NULL,
                "task_id" uuid,
                "agent_id" uuid,
                "status" text,
                "output_artifacts" jsonb NOT NULL DEFAULT '{}',
                "metrics" jsonb NOT NULL DEFAULT '{}',
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "created_by" text NOT NULL,
                CONSTRAINT "PK_643d45fd009cbb95064dd847ba4" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_7a017815cfcc466c1405280e10" ON "job_results" ("tenant_id", "task_id")
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_02f97e58211678bfe866a65c28" ON "job_results" ("tenant_id", "job_id", "id")
        `);
    await queryRunner.query(`
            CREATE TABLE "persisted_chunks" (
                "tenant_id" text NOT NULL,
                "call_id" text NOT NULL,
                "schema_identity" text NOT NULL,
                "record_id" uuid NOT NULL,
                "handler_identity" text NOT NULL,
                "domain_type" text,
                "domain_id" uuid,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_4f50000e3b5a11dfe40aec3bb6d" PRIMARY KEY ("tenant_id", "call_id", "schema_identity")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "service_call_records" (
                "id" uuid NOT NULL,
                "version" integer NOT NULL DEFAULT '1',
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "tenant_id" text NOT NULL,
                "call_id" text NOT NULL,
                "namespace" text NOT NULL,
                "schema_identity" text NOT NULL,
                "result" jsonb NOT NULL,
                "status" text NOT NULL DEFAULT 'pending',
                "attempts" integer NOT NULL DEFAULT '0',
                "last_error" text,
                "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "persisted_at" TIMESTAMP WITH TIME ZONE,
                "correlation_id" text,
                "priority" integer NOT NULL DEFAULT '0',
                "created_by" text NOT NULL,
                CONSTRAINT "service_call_records_status_check" CHECK (
                    status IN (
                        'pending',
                        'persisted',
                        'skipped',
                        'dead_lettered'
                    )
                ),
                CONSTRAINT "PK_7944842e2d2f0ef6e48216d7dd1" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "service_call_records_due" ON "service_call_records" ("next_attempt_at")
            WHERE status = 'pending'
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_be41c7bfdad20445e0af84b96c" ON "service_call_records" ("tenant_id", "schema_identity", "id")
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_cf1bbe81f9fb2b243ccf83f626" ON "service_call_records" ("tenant_id", "status", "id")
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_366e8fb7e3dcabe26dde2ca523" ON "service_call_records" ("tenant_id", "id")
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "IDX_a9e6ab940dc41d4a9b0086dac8" ON "service_call_records" ("tenant_id", "call_id", "schema_identity")
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "public"."IDX_a9e6ab940dc41d4a9b0086dac8"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_366e8fb7e3dcabe26dde2ca523"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_cf1bbe81f9fb2b243ccf83f626"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_be41c7bfdad20445e0af84b96c"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."service_call_records_due"
        `);
    await queryRunner.query(`
            DROP TABLE "service_call_records"
        `);
    await queryRunner.query(`
            DROP TABLE "persisted_chunks"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_02f97e58211678bfe866a65c28"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_7a017815cfcc466c1405280e10"
        `);
    await queryRunner.query(`
            DROP TABLE "job_results"
        `);
  }
}
