import { MigrationInterface, QueryRunner } from 'typeorm';

/** `outbox_postpone` with `rows` as the records it changes (the function's name, arguments, rights and grants stay). */
const postponeOf = (rows: string) => `
            CREATE OR REPLACE FUNCTION "outbox_postpone"(record_ids uuid[], delay_ms integer) RETURNS void
            LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
            AS \$\$
                UPDATE service_call_records SET next_attempt_at = now() + (delay_ms * interval '1 millisecond')
                WHERE ${rows}
            \$\$
        `;

/**
 * The sweeper no longer waits for the records a drain batch holds. After each pass it postpones
 * the overdue records it saw, so that its next pass reads the ones after them; that `UPDATE` waited
 * for every record of its list that a batch had claimed, until the batch committed, and meanwhile
 * held the others, the oldest of the backlog, which the batches' claims then stepped over. It now
 * postpones only the records no other transaction holds (`SKIP LOCKED`): a held one is being
 * drained, and should its batch fail, it is pending and overdue again at the next pass.
 */
export class SweeperSkipsHeldRecords1796576000000 implements MigrationInterface {
  name = 'SweeperSkipsHeldRecords1796576000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      postponeOf(`id IN (
                    SELECT r.id FROM service_call_records r WHERE r.id = ANY(record_ids) AND r.status = 'pending'
                    FOR UPDATE SKIP LOCKED
                )`),
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(postponeOf(`id = ANY(record_ids) AND status = 'pending'`));
  }
}
