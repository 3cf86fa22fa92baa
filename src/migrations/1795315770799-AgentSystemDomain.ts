import { MigrationInterface, QueryRunner } from 'typeorm';

export class AgentSystemDomain1795315770799 implements MigrationInterface {
  name = 'AgentSystemDomain1795315770799';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "health_records" (
                "id" uuid NOT NULL,
                "tenant_id" text NOT NULL,
                "component" text NOT NULL,
                "status" text NOT NULL,
                "message" text,
                "response_time_ms" integer,
                "agent_id" uuid,
                "details" jsonb NOT NULL DEFAULT '{}',
                "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "created_by" text NOT NULL,
                CONSTRAINT "health_records_status_check" CHECK (status IN ('ok', 'degraded', 'down')),
                CONSTRAINT "PK_adbd60dda85d616da89ba3f8270" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_73951aa55d6e5d03e617d8124d" ON "health_records" ("tenant_id", "component", "recorded_at", "id")
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_69420eee6129dbda29f4a1e9bc" ON "health_records" ("tenant_id", "recorded_at", "id")
        `);
    await queryRunner.query(`
            CREATE TABLE "workflows" (
                "id" uuid NOT NULL,
                "version" integer NOT NULL DEFAULT '1',
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "tenant_id" text NOT NULL,
                "description" text NOT NULL,
                "status" text NOT NULL DEFAULT 'pending',
                "input" jsonb NOT NULL DEFAULT '{}',
                "output" jsonb,
                "error" text,
                "started_at" TIMESTAMP WITH TIME ZONE,
                "finished_at" TIMESTAMP WITH TIME ZONE,
                "created_by" text NOT NULL,
                "updated_by" text NOT NULL,
                CONSTRAINT "workflows_status_check" CHECK (
                    status IN (
                        'pending',
                        'running',
                        'completed',
                        'failed',
                        'cancelled'
                    )
                ),
                CONSTRAINT "PK_5b5757cc1cd86268019fef52e0c" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_8f7025b32aaf92b1ed9e73ccfc" ON "workflows" ("tenant_id", "status", "id")
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_66fadb45f27fb0782e5d8ddabc" ON "workflows" ("tenant_id", "id")
        `);
    await queryRunner.query(`
            CREATE TABLE "tasks" (
                "id" uuid NOT NULL,
                "version" integer NOT NULL DEFAULT '1',
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "tenant_id" text NOT NULL,
                "workflow_id" uuid NOT NULL,
                "agent_id" uuid,
                "parent_task_id" uuid,
                "description" text NOT NULL,
                "priority" integer NOT NULL DEFAULT '0',
                "status" text NOT NULL DEFAULT 'pending',
                "input" jsonb NOT NULL DEFAULT '{}',
                "output" jsonb,
                "error" text,
                "duration_ms" integer,
                "started_at" TIMESTAMP WITH TIME ZONE,
                "finished_at" TIMESTAMP WITH TIME ZONE,
                "created_by" text NOT NULL,
                "updated_by" text NOT NULL,
                CONSTRAINT "tasks_status_check" CHECK (
                    status IN (
                        'pending',
                        'running',
                        'completed',
                        'failed',
                        'cancelled'
                    )
                ),
                CONSTRAINT "PK_8d12ff38fcc62aaba2cab748772" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_54fc42a253a8338488ec1f960a" ON "tasks" ("parent_task_id")
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_1ae3dc30e0fff8fe8e4b906654" ON "tasks" ("tenant_id", "agent_id", "id")
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_21b31c6eb2f5f5a46c641103db" ON "tasks" ("tenant_id", "workflow_id", "id")
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_6fe5c694eb0dfb0f34a5608934" ON "tasks" ("tenant_id", "status", "id")
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_dfb75fc41a01bbbfe7a8ea10a5" ON "tasks" ("tenant_id", "id")
        `);
    await queryRunner.query(`
            CREATE TABLE "messages" (
                "id" uuid NOT NULL,
                "version" integer NOT NULL DEFAULT '1',
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "tenant_id" text NOT NULL,
                "from_agent_id" uuid NOT NULL,
                "to_agent_id" uuid NOT NULL,
                "task_id" uuid,
                "type" text NOT NULL,
                "content" jsonb NOT NULL DEFAULT '{}',
                "status" text NOT NULL DEFAULT 'sent',
                "sent_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "received_at" TIMESTAMP WITH TIME ZONE,
                "processed_at" TIMESTAMP WITH TIME ZONE,
                "created_by" text NOT NULL,
                "updated_by" text NOT NULL,
                CONSTRAINT "messages_status_check" CHECK (
                    status IN ('sent', 'received', 'processed', 'failed')
                ),
                CONSTRAINT "PK_18325f38ae6de43878487eff986" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_5013aa71b31e81cde2ac45a54e" ON "messages" ("task_id")
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_749a965569d4dd55b2d019be48" ON "messages" ("tenant_id", "from_agent_id", "id")
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_8bada6c1f2b964500fd93159cb" ON "messages" ("tenant_id", "to_agent_id", "id")
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_9a97da372be358c3f7455f4b88" ON "messages" ("tenant_id", "id")
        `);
    await queryRunner.query(`
            CREATE TABLE "agent_metrics" (
                "agent_id" uuid NOT NULL,
                "tenant_id" text NOT NULL,
                "total_tasks" integer NOT NULL DEFAULT '0',
                "completed_tasks" integer NOT NULL DEFAULT '0',
                "failed_tasks" integer NOT NULL DEFAULT '0',
                "total_duration_ms" bigint NOT NULL DEFAULT '0',
                "timed_tasks" integer NOT NULL DEFAULT '0',
                "version" integer NOT NULL DEFAULT '1',
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_c5a2ee5fd961ee1504171c2695a" PRIMARY KEY ("agent_id")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "system_metrics" (
                "id" uuid NOT NULL,
                "tenant_id" text NOT NULL,
                "name" text NOT NULL,
                "value" double precision NOT NULL,
                "unit" text,
                "tags" jsonb NOT NULL DEFAULT '{}',
                "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_499f823773b117bc1a2e6330dae" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_b3c966f37897450222a433b065" ON "system_metrics" ("tenant_id", "name", "recorded_at", "id")
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_20cbf26eb59f9603f764da89b8" ON "system_metrics" ("tenant_id", "recorded_at", "id")
        `);
    await queryRunner.query(`
            CREATE TABLE "task_dependencies" (
                "task_id" uuid NOT NULL,
                "depends_on_task_id" uuid NOT NULL,
                "tenant_id" text NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_34abffd156d4d10466f5f254ef2" PRIMARY KEY ("task_id", "depends_on_task_id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_26dedda08faccdb95aff99e112" ON "task_dependencies" ("depends_on_task_id")
        `);
    await queryRunner.query(`
            ALTER TABLE "tasks"
            ADD CONSTRAINT "FK_dd8acf54bd05943d9c3615a8fd8" FOREIGN KEY ("workflow_id") REFERENCES "workflows"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "tasks"
            ADD CONSTRAINT "FK_bcb2622b3a762eb82f65b76d371" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE
            SET NULL ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "tasks"
            ADD CONSTRAINT "FK_54fc42a253a8338488ec1f960ad" FOREIGN KEY ("parent_task_id") REFERENCES "tasks"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "messages"
            ADD CONSTRAINT "FK_5013aa71b31e81cde2ac45a54e9" FOREIGN KEY ("task_id") REFERENCES "tasks"("id") ON DELETE
            SET NULL ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "agent_metrics"
            ADD CONSTRAINT "FK_c5a2ee5fd961ee1504171c2695a" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "task_dependencies"
            ADD CONSTRAINT "FK_1ae6688b1bd90fffe857f4cb707" FOREIGN KEY ("task_id") REFERENCES "tasks"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "task_dependencies"
            ADD CONSTRAINT "FK_26dedda08faccdb95aff99e112e" FOREIGN KEY ("depends_on_task_id") REFERENCES "tasks"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "task_dependencies" DROP CONSTRAINT "FK_26dedda08faccdb95aff99e112e"
        `);
    await queryRunner.query(`
            ALTER TABLE "task_dependencies" DROP CONSTRAINT "FK_1ae6688b1bd90fffe857f4cb707"
        `);
    await queryRunner.query(`
            ALTER TABLE "agent_metrics" DROP CONSTRAINT "FK_c5a2ee5fd961ee1504171c2695a"
        `);
    await queryRunner.query(`
            ALTER TABLE "messages" DROP CONSTRAINT "FK_5013aa71b31e81cde2ac45a54e9"
        `);
    await queryRunner.query(`
            ALTER TABLE "tasks" DROP CONSTRAINT "FK_54fc42a253a8338488ec1f960ad"
        `);
    await queryRunner.query(`
            ALTER TABLE "tasks" DROP CONSTRAINT "FK_bcb2622b3a762eb82f65b76d371"
        `);
    await queryRunner.query(`
            ALTER TABLE "tasks" DROP CONSTRAINT "FK_dd8acf54bd05943d9c3615a8fd8"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_26dedda08faccdb95aff99e112"
        `);
    await queryRunner.query(`
            DROP TABLE "task_dependencies"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_20cbf26eb59f9603f764da89b8"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_b3c966f37897450222a433b065"
        `);
    await queryRunner.query(`
            DROP TABLE "system_metrics"
        `);
    await queryRunner.query(`
            DROP TABLE "agent_metrics"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_9a97da372be358c3f7455f4b88"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_8bada6c1f2b964500fd93159cb"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_749a965569d4dd55b2d019be48"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_5013aa71b31e81cde2ac45a54e"
        `);
    await queryRunner.query(`
            DROP TABLE "messages"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_dfb75fc41a01bbbfe7a8ea10a5"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_6fe5c694eb0dfb0f34a5608934"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_21b31c6eb2f5f5a46c641103db"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_1ae3dc30e0fff8fe8e4b906654"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_54fc42a253a8338488ec1f960a"
        `);
    await queryRunner.query(`
            DROP TABLE "tasks"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_66fadb45f27fb0782e5d8ddabc"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_8f7025b32aaf92b1ed9e73ccfc"
        `);
    await queryRunner.query(`
            DROP TABLE "workflows"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_69420eee6129dbda29f4a1e9bc"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_73951aa55d6e5d03e617d8124d"
        `);
    await queryRunner.query(`
            DROP TABLE "health_records"
        `);
  }
}
