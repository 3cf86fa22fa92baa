import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who acted, as proved: every event (key_id) and every row that records its author
 * (created_by_key_id, updated_by_key_id beside created_by, updated_by) names the API key that
 * authenticated the change, by id. Null where no key did (the operator's command line, AUTH=off)
 * and on rows written before. A key may be refused an X-Actor-Id label (actor_override false).
 * Nullable columns without a default, and a constant default: no table is rewritten.
 */
export class KeyAuthorship1796558479837 implements MigrationInterface {
  name = 'KeyAuthorship1796558479837';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "api_keys"
            ADD "actor_override" boolean NOT NULL DEFAULT true
        `);
    await queryRunner.query(`
            ALTER TABLE "domain_events"
            ADD "key_id" uuid
        `);
    await queryRunner.query(`
            ALTER TABLE "agents"
            ADD "created_by_key_id" uuid
        `);
    await queryRunner.query(`
            ALTER TABLE "agents"
            ADD "updated_by_key_id" uuid
        `);
    await queryRunner.query(`
            ALTER TABLE "health_records"
            ADD "created_by_key_id" uuid
        `);
    await queryRunner.query(`
            ALTER TABLE "integrated_objects"
            ADD "created_by_key_id" uuid
        `);
    await queryRunner.query(`
            ALTER TABLE "integrated_objects"
            ADD "updated_by_key_id" uuid
        `);
    await queryRunner.query(`
            ALTER TABLE "action_logs"
            ADD "created_by_key_id" uuid
        `);
    await queryRunner.query(`
            ALTER TABLE "insights"
            ADD "created_by_key_id" uuid
        `);
    await queryRunner.query(`
            ALTER TABLE "insights"
            ADD "updated_by_key_id" uuid
        `);
    await queryRunner.query(`
            ALTER TABLE "job_results"
            ADD "created_by_key_id" uuid
        `);
    await queryRunner.query(`
            ALTER TABLE "patterns"
            ADD "created_by_key_id" uuid
        `);
    await queryRunner.query(`
            ALTER TABLE "patterns"
            ADD "updated_by_key_id" uuid
        `);
    await queryRunner.query(`
            ALTER TABLE "workflows"
            ADD "created_by_key_id" uuid
        `);
    await queryRunner.query(`
            ALTER TABLE "workflows"
            ADD "updated_by_key_id" uuid
        `);
    await queryRunner.query(`
            ALTER TABLE "tasks"
            ADD "created_by_key_id" uuid
        `);
    await queryRunner.query(`
            ALTER TABLE "tasks"
            ADD "updated_by_key_id" uuid
        `);
    await queryRunner.query(`
            ALTER TABLE "messages"
            ADD "created_by_key_id" uuid
        `);
    await queryRunner.query(`
            ALTER TABLE "messages"
            ADD "updated_by_key_id" uuid
        `);
    await queryRunner.query(`
            ALTER TABLE "service_call_records"
            ADD "created_by_key_id" uuid
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "service_call_records" DROP COLUMN "created_by_key_id"
        `);
    await queryRunner.query(`
            ALTER TABLE "messages" DROP COLUMN "updated_by_key_id"
        `);
    await queryRunner.query(`
            ALTER TABLE "messages" DROP COLUMN "created_by_key_id"
        `);
    await queryRunner.query(`
            ALTER TABLE "tasks" DROP COLUMN "updated_by_key_id"
        `);
    await queryRunner.query(`
            ALTER TABLE "tasks" DROP COLUMN "created_by_key_id"
        `);
    await queryRunner.query(`
            ALTER TABLE "workflows" DROP COLUMN "updated_by_key_id"
        `);
    await queryRunner.query(`
            ALTER TABLE "workflows" DROP COLUMN "created_by_key_id"
        `);
    await queryRunner.query(`
            ALTER TABLE "patterns" DROP COLUMN "updated_by_key_id"
        `);
    await queryRunner.query(`
            ALTER TABLE "patterns" DROP COLUMN "created_by_key_id"
        `);
    await queryRunner.query(`
            ALTER TABLE "job_results" DROP COLUMN "created_by_key_id"
        `);
    await queryRunner.query(`
            ALTER TABLE "insights" DROP COLUMN "updated_by_key_id"
        `);
    await queryRunner.query(`
            ALTER TABLE "insights" DROP COLUMN "created_by_key_id"
        `);
    await queryRunner.query(`
            ALTER TABLE "action_logs" DROP COLUMN "created_by_key_id"
        `);
    await queryRunner.query(`
            ALTER TABLE "integrated_objects" DROP COLUMN "updated_by_key_id"
        `);
    await queryRunner.query(`
            ALTER TABLE "integrated_objects" DROP COLUMN "created_by_key_id"
        `);
    await queryRunner.query(`
            ALTER TABLE "health_records" DROP COLUMN "created_by_key_id"
        `);
    await queryRunner.query(`
            ALTER TABLE "agents" DROP COLUMN "updated_by_key_id"
        `);
    await queryRunner.query(`
            ALTER TABLE "agents" DROP COLUMN "created_by_key_id"
        `);
    await queryRunner.query(`
            ALTER TABLE "domain_events" DROP COLUMN "key_id"
        `);
    await queryRunner.query(`
            ALTER TABLE "api_keys" DROP COLUMN "actor_override"
        `);
  }
}
