import { MigrationInterface, QueryRunner } from 'typeorm';

/** The functions that take the first due records in their index's order, as their signatures read. */
const ORDERED_WALKS = ['"outbox_claim"(integer, text[], text[])', '"outbox_due"(integer)', '"outbox_due_without_handler"(integer, text[], text[])'];

/**
 * The claim of a batch (and the sweeper's look for due records) walks its partial index in order
 * and stops at the rows it takes, whatever the statistics say. Planned from statistics taken
 * before a backlog arrived (most records persisted, a few pending), PostgreSQL expected a handful
 * of pending records and chose to read them all through a bitmap and sort them: with 60,000
 * pending, every claim of 100 read all 60,000 (60-80 ms a batch), and a backlog of 100,000 drained
 * at a third of the rate of one of 30,000. Reading in index order costs what the rows taken cost;
 * at worst (a process that handles few of the pending records) it reads what the sort read.
 */
export class OutboxClaimWalksItsIndex1796572000000 implements MigrationInterface {
  name = 'OutboxClaimWalksItsIndex1796572000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const fn of ORDERED_WALKS) {
      await queryRunner.query(`ALTER FUNCTION ${fn} SET enable_seqscan = off SET enable_bitmapscan = off SET enable_sort = off`);
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const fn of ORDERED_WALKS) {
      await queryRunner.query(`ALTER FUNCTION ${fn} RESET enable_seqscan RESET enable_bitmapscan RESET enable_sort`);
    }
  }
}
