import { MigrationInterface, QueryRunner } from 'typeorm';
import { disableTenantIsolation, enableTenantIsolation } from './tenant-isolation';

export class Integrations1795324240089 implements MigrationInterface {
  name = 'Integrations1795324240089';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "integrated_objects" (
                "id" uuid NOT NULL,
                "version" integer NOT NULL DEFAULT '1',
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "tenant_id" text NOT NULL,
                "created_by" text NOT NULL,
                "updated_by" text NOT NULL,
                "platform" text NOT NULL,
                "original_id" text NOT NULL,
                "object_type" text NOT NULL,
                "company_id" text,
                "original_data" jsonb NOT NULL,
                "integrated_content" text,
                "metadata" jsonb NOT NULL DEFAULT '{}',
                "summary" text,
                CONSTRAINT "PK_19212d41d3baf1c7a0ed6d0647d" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_0dc220478671d69e175fb6b23b" ON "integrated_objects" ("tenant_id", "company_id", "object_type", "id")
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "IDX_6726417bd5d463aa53ba194c0e" ON "integrated_objects" ("tenant_id", "platform", "original_id")
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_e02563b2a9b02f168330f3fffc" ON "integrated_objects" ("tenant_id", "id")
        `);
    await enableTenantIsolation(queryRunner, 'integrated_objects');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await disableTenantIsolation(queryRunner, 'integrated_objects');
    await queryRunner.query(`
            DROP INDEX "public"."IDX_e02563b2a9b02f168330f3fffc"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_6726417bd5d463aa53ba194c0e"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_0dc220478671d69e175fb6b23b"
        `);
    await queryRunner.query(`
            DROP TABLE "integrated_objects"
        `);
  }
}
