import { MigrationInterface, QueryRunner } from 'typeorm';

/** Columns that hold milliseconds and now keep their fractions (150.5 ms stays 150.5). */
const DURATIONS: [table: string, column: string, before: string][] = [
  ['tasks', 'duration_ms', 'integer'],
  ['action_logs', 'duration_ms', 'integer'],
  ['health_records', 'response_time_ms', 'integer'],
  ['agent_metrics', 'total_duration_ms', 'bigint'],
];

/** Health records by agent (`GET /health-records?agentId=`). */
const HEALTH_BY_AGENT = 'IDX_health_records_tenant_agent';

/**
 * Agents get an optional caller-chosen `key`, unique per tenant, never shaped like a uuid (so a
 * reference is an id or a key without ambiguity); durations and response times become fractional.
 */
export class AgentKeysAndFractionalDurations1796546377390 implements MigrationInterface {
  name = 'AgentKeysAndFractionalDurations1796546377390';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "agents" ADD "key" text`);
    await queryRunner.query(
      `ALTER TABLE "agents" ADD CONSTRAINT "agents_key_check" CHECK (key IS NULL OR (length(key) BETWEEN 1 AND 200
         AND key !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "agents_tenant_key_idx" ON "agents" ("tenant_id", "key") WHERE "key" IS NOT NULL`);
    for (const [table, column] of DURATIONS) {
      await queryRunner.query(`ALTER TABLE "${table}" ALTER COLUMN "${column}" TYPE double precision`);
    }
    await queryRunner.query(`CREATE INDEX "${HEALTH_BY_AGENT}" ON "health_records" ("tenant_id", "agent_id", "id")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "${HEALTH_BY_AGENT}"`);
    for (const [table, column, before] of DURATIONS) {
      await queryRunner.query(`ALTER TABLE "${table}" ALTER COLUMN "${column}" TYPE ${before} USING round("${column}")::${before}`);
    }
    await queryRunner.query(`DROP INDEX "agents_tenant_key_idx"`);
    await queryRunner.query(`ALTER TABLE "agents" DROP CONSTRAINT "agents_key_check"`);
    await queryRunner.query(`ALTER TABLE "agents" DROP COLUMN "key"`);
  }
}
