import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * insight_matches() returns only the best `max_rows` matches, ranked, so the search joins back to
 * `insights` for those rows alone instead of for every match (a broad query matches thousands).
 */
export class InsightTopMatches1795329698849 implements MigrationInterface {
  name = 'InsightTopMatches1795329698849';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION "insight_matches"(tsquery, text)`);
    await queryRunner.query(`
            CREATE FUNCTION "insight_matches"(query tsquery, domain_filter text, max_rows integer)
            RETURNS TABLE (id uuid, rank real)
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
            AS \$\$
                SELECT i.id, ts_rank(i.search, query) AS rank
                FROM insights i
                WHERE i.tenant_id = current_setting('app.tenant_id', true)
                  AND i.search @@ query
                  AND (domain_filter IS NULL OR i.domain = domain_filter)
                ORDER BY rank DESC, i.id ASC
                LIMIT max_rows
            \$\$
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION "insight_matches"(tsquery, text, integer)`);
    await queryRunner.query(`
            CREATE FUNCTION "insight_matches"(query tsquery, domain_filter text)
            RETURNS TABLE (id uuid, rank real)
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
            AS \$\$
                SELECT i.id, ts_rank(i.search, query)
                FROM insights i
                WHERE i.tenant_id = current_setting('app.tenant_id', true)
                  AND i.search @@ query
                  AND (domain_filter IS NULL OR i.domain = domain_filter)
            \$\$
        `);
  }
}
