import { Client } from 'pg';
import { runChangeByStatus } from '../../../src/common/domain/run-lifecycle';
import { Statement } from '../../../src/common/persistence/insert-statement';
import { TASK_TRANSITIONS } from '../../../src/modules/tasks/task-transitions';
import { TasksRepository } from '../../../src/modules/tasks/tasks.repository';
import { makeTask } from '../../factories/task.factory';
import { makeWorkflow } from '../../factories/workflow.factory';
import { useScratchApp } from '../../utils/scratch-database';

/** Pages of the database's tables and indexes read so far by this transaction. */
const PAGES_READ = `SELECT sum(pg_stat_get_xact_blocks_fetched(c.oid))::int AS n FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace`;

/**
 * A status change is one prepared statement, and PostgreSQL keeps a prepared statement's generic
 * plan for the life of the connection: a plan made while the tenant had a handful of tasks (a new
 * deployment) must still read only the task and its own dependencies once the tenant has hundreds.
 */
describe('a task status change planned while the tenant was small', () => {
  const s = useScratchApp('task_plan');
  let workflowId: string;

  beforeAll(async () => {
    workflowId = (await s.t.http().post('/api/v1/workflows').set(s.tenant.auth).send(makeWorkflow()).expect(201)).body.id as string;
  });

  const createTasks = async (count: number): Promise<string[]> => {
    const items = Array.from({ length: count }, () => makeTask(workflowId));
    return (await s.t.http().post('/api/v1/tasks/bulk').set(s.tenant.auth).send({ items }).expect(201)).body.items.map((task: { id: string }) => task.id);
  };

  /** The statement the app sends to start task `id` (pending → running at version 1). */
  const startStatement = (id: string): Statement => {
    const rules = runChangeByStatus({ type: 'task', id }, TASK_TRANSITIONS, { status: 'running' });
    const context = { tenantId: s.tenant.tenantId, actorId: 'test', keyId: null, correlationId: null };
    const request = { status: 'running' as const, allowedFrom: rules.allowed, fields: {}, updatedBy: { updatedBy: 'test', updatedByKeyId: null } };
    return s.t.app.get(TasksRepository).changeStatement(context, { tenantId: s.tenant.tenantId, id, expectedVersion: 1 }, request);
  };

  /** Starts task `id` through the prepared statement in a transaction rolled back: the rows it answered and the pages it read. */
  const startCounted = async (client: Client, id: string) => {
    const { sql, params } = startStatement(id);
    await client.query('BEGIN');
    try {
      await client.query(`SELECT set_config('app.tenant_id', $1, true)`, [s.tenant.tenantId]);
      const before = (await client.query(PAGES_READ)).rows[0].n as number;
      const { rows } = await client.query({ name: 'task_start', text: sql, values: params });
      const after = (await client.query(PAGES_READ)).rows[0].n as number;
      return { rows, pages: after - before };
    } finally {
      await client.query('ROLLBACK');
    }
  };

  it('reads a few dozen pages with 600 tasks in the tenant, as with 3', async () => {
    const [first] = await createTasks(3);
    // The application's role, under row-level security; the generic plan made now, at once.
    const client = new Client({ connectionString: s.scratch.serviceUrl });
    await client.connect();
    try {
      await client.query('SET plan_cache_mode = force_generic_plan');
      const small = await startCounted(client, first);
      expect(small.rows[0]).toMatchObject({ id: first, status: 'running', found_status_: 'pending' });

      const [later] = await createTasks(600);
      const large = await startCounted(client, later);
      expect(large.rows[0]).toMatchObject({ id: later, status: 'running', found_status_: 'pending' });
      // The task, its dependencies (none), the update and its events: about 50 pages (about 30 with 3
      // tasks: deeper indexes). The plan that read every task of the tenant and probed the
      // dependencies for each read over 2 pages per task (1,283).
      expect(large.pages).toBeLessThan(100);
    } finally {
      await client.end();
    }
  });
});
