import { MigrationInterface, QueryRunner } from 'typeorm';
import { ORDERED_WALK } from './1796573000000-OutboxClaimOneTenant';
import { outboxDueWithoutHandler } from './1796556400000-SystemWorkFunctions';
import { grantToServiceRoles } from './service-role-functions';

const DUE = '"outbox_due"(integer)';
const DUE_WITHOUT_HANDLER = '"outbox_due_without_handler"(integer, text[], text[])';

/** `outbox_due`, with the namespace of each record (up) or without it (down, as it was). */
const dueFunction = (withNamespace: boolean) => `
            CREATE FUNCTION "outbox_due"(max_rows integer)
            RETURNS TABLE (id uuid, tenant_id text, call_id text, ${withNamespace ? 'namespace text, ' : ''}schema_identity text, attempts integer)
            LANGUAGE sql STABLE SECURITY DEFINER ${ORDERED_WALK}
            AS \$\$
                SELECT r.id, r.tenant_id, r.call_id, ${withNamespace ? 'r.namespace, ' : ''}r.schema_identity, r.attempts FROM service_call_records r
                WHERE r.status = 'pending' AND r.next_attempt_at <= now()
                ORDER BY r.next_attempt_at LIMIT max_rows
            \$\$
        `;

/**
 * The sweeper reads one work list a pass. It also looked for overdue fresh results that no
 * handler of its process serves (`outbox_due_without_handler`), a second walk of the due records
 * in order, which finds nothing while the process serves every one of them, and so read them all:
 * 80 to 280 ms a pass with 300,000 results pending (the work list: 1 to 2.5 ms), every
 * SWEEP_INTERVAL_MS in every worker process, and more as the backlog grows. The overdue records of
 * its work list (`outbox_due`, which now says each one's namespace) are enough to tell: a fresh one
 * that no handler of the process serves is skipped there. One that is not in this pass's list is
 * in a later one (the sweeper postpones those it has seen, and the drain takes the others).
 */
export class SweeperReadsOneWorkList1796575000000 implements MigrationInterface {
  name = 'SweeperReadsOneWorkList1796575000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION ${DUE_WITHOUT_HANDLER}`);
    await queryRunner.query(`DROP FUNCTION ${DUE}`);
    await queryRunner.query(dueFunction(true));
    await grantToServiceRoles(queryRunner, [DUE], 'service_call_records');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION ${DUE}`);
    await queryRunner.query(dueFunction(false));
    await queryRunner.query(outboxDueWithoutHandler(ORDERED_WALK));
    await grantToServiceRoles(queryRunner, [DUE, DUE_WITHOUT_HANDLER], 'service_call_records');
  }
}
