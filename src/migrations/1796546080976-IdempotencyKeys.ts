import { MigrationInterface, QueryRunner } from 'typeorm';
import { disableTenantIsolation, enableTenantIsolation } from './tenant-isolation';

/**
 * The Idempotency-Key of each POST that changed something, inserted in the transaction of its
 * effect; the answer to replay is stored on the row right after. The primary key (tenant, key)
 * is what decides between concurrent requests that carry one key.
 */
export class IdempotencyKeys1796546080976 implements MigrationInterface {
  name = 'IdempotencyKeys1796546080976';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "idempotency_keys" (
                "tenant_id" text NOT NULL,
                "key" character varying(255) NOT NULL,
                "request_hash" character(64) NOT NULL,
                "method" character varying(16) NOT NULL,
                "path" text NOT NULL,
                "response_status" smallint,
                "response_headers" jsonb,
                "response_body" json,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "responded_at" TIMESTAMP WITH TIME ZONE,
                "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_idempotency_keys" PRIMARY KEY ("tenant_id", "key")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_idempotency_keys_expires_at" ON "idempotency_keys" ("expires_at")
        `);
    await enableTenantIsolation(queryRunner, 'idempotency_keys');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await disableTenantIsolation(queryRunner, 'idempotency_keys');
    await queryRunner.query(`
            DROP INDEX "public"."IDX_idempotency_keys_expires_at"
        `);
    await queryRunner.query(`
            DROP TABLE "idempotency_keys"
        `);
  }
}
