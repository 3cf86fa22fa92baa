import { MigrationInterface, QueryRunner } from 'typeorm';

export class Knowledge1795319639414 implements MigrationInterface {
  name = 'Knowledge1795319639414';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "action_logs" (
                "id" uuid NOT NULL,
                "tenant_id" text NOT NULL,
                "action_type" text NOT NULL,
                "parameters" jsonb NOT NULL DEFAULT '{}',
                "error" text,
                "duration_ms" integer,
                "trace_id" text,
                "agent_id" uuid,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "created_by" text NOT NULL,
                CONSTRAINT "PK_cc15d2a348eaf2e1e153055380c" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_b99e400ed06c5ff93da55f4808" ON "action_logs" ("tenant_id", "trace_id", "id")
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_a9e75bfc13b3b4fb0d30ae470b" ON "action_logs" ("tenant_id", "action_type", "id")
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_9a5832194598344eb0b3ee85da" ON "action_logs" ("tenant_id", "id")
        `);
    // TypeORM compares generated columns with the expression it keeps in typeorm_metadata, keyed
    // by database name: record it for whichever database this runs on.
    await queryRunner.query(
      `
            INSERT INTO "typeorm_metadata"("database", "schema", "table", "type", "name", "value")
            VALUES (current_database(), current_schema(), $1, $2, $3, $4)
        `,
      ['insights', 'GENERATED_COLUMN', 'search', 'to_tsvector(\'english\', "summary" || \' \' || "content")'],
    );
    await queryRunner.query(`
            CREATE TABLE "insights" (
                "id" uuid NOT NULL,
                "version" integer NOT NULL DEFAULT '1',
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "tenant_id" text NOT NULL,
                "summary" text NOT NULL,
                "domain" text NOT NULL,
                "confidence" double precision NOT NULL,
                "content" text NOT NULL,
                "search" tsvector GENERATED ALWAYS AS (
                    to_tsvector('english', "summary" || ' ' || "content")
                ) STORED NOT NULL,
                "created_by" text NOT NULL,
                "updated_by" text NOT NULL,
                CONSTRAINT "insights_confidence_check" CHECK (
                    confidence >= 0
                    AND confidence <= 1
                ),
                CONSTRAINT "PK_8616ab29fa49b7942541b8c964a" PRIMARY KEY ("id")
            )
        `);
    // A GIN index is beyond TypeORM's @Index: the entity declares it with synchronize: false.
    await queryRunner.query(`
            CREATE INDEX "insights_search_idx" ON "insights" USING GIN ("search")
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_248b4e5019f7245b371aae0a19" ON "insights" ("tenant_id", "domain", "id")
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_ee32c75bf8798487f2a4eb1cf4" ON "insights" ("tenant_id", "id")
        `);
    await queryRunner.query(`
            CREATE TABLE "patterns" (
                "id" uuid NOT NULL,
                "version" integer NOT NULL DEFAULT '1',
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "tenant_id" text NOT NULL,
                "trigger" text NOT NULL,
                "steps" jsonb NOT NULL DEFAULT '[]',
                "usage_count" integer NOT NULL DEFAULT '0',
                "created_by" text NOT NULL,
                "updated_by" text NOT NULL,
                CONSTRAINT "patterns_usage_count_check" CHECK (usage_count >= 0),
                CONSTRAINT "PK_afb8e3087247ebfc0f30a682a9b" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_6b89c9281344fd0f0bbd54284a" ON "patterns" ("tenant_id", "usage_count", "id")
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "IDX_fa4abca7dc321c459392707826" ON "patterns" ("tenant_id", "trigger")
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_a2a46f14449a5e25a5199c0e3f" ON "patterns" ("tenant_id", "id")
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "public"."IDX_a2a46f14449a5e25a5199c0e3f"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_fa4abca7dc321c459392707826"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_6b89c9281344fd0f0bbd54284a"
        `);
    await queryRunner.query(`
            DROP TABLE "patterns"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_ee32c75bf8798487f2a4eb1cf4"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_248b4e5019f7245b371aae0a19"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."insights_search_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "insights"
        `);
    await queryRunner.query(
      `
            DELETE FROM "typeorm_metadata"
            WHERE "database" = current_database()
                AND "schema" = current_schema()
                AND "table" = $1
                AND "type" = $2
                AND "name" = $3
        `,
      ['insights', 'GENERATED_COLUMN', 'search'],
    );
    await queryRunner.query(`
            DROP INDEX "public"."IDX_9a5832194598344eb0b3ee85da"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_a9e75bfc13b3b4fb0d30ae470b"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_b99e400ed06c5ff93da55f4808"
        `);
    await queryRunner.query(`
            DROP TABLE "action_logs"
        `);
  }
}
