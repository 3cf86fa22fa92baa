import { MigrationInterface, QueryRunner } from 'typeorm';
import { disableTenantIsolation, enableTenantIsolation } from './tenant-isolation';

export class LegacyImports1795327862055 implements MigrationInterface {
  name = 'LegacyImports1795327862055';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "legacy_imports" (
                "tenant_id" text NOT NULL,
                "source_table" text NOT NULL,
                "legacy_id" text NOT NULL,
                "legacy_type" text NOT NULL,
                "target_table" text NOT NULL,
                "target_id" uuid NOT NULL,
                "checksum" text NOT NULL,
                "imported_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_2e8efeba7a4ee217f6655c5eeb3" PRIMARY KEY ("tenant_id", "source_table", "legacy_id")
            )
        `);
    await enableTenantIsolation(queryRunner, 'legacy_imports');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await disableTenantIsolation(queryRunner, 'legacy_imports');
    await queryRunner.query(`
            DROP TABLE "legacy_imports"
        `);
  }
}
