import { DataSource } from 'typeorm';
import { uuidv7 } from '../../src/common/persistence/uuid-v7';
import { TaskStatus } from '../../src/modules/tasks/task.entity';

/**
 * Inserts a workflow and one task of it straight into the database, for tests of modules that
 * only refer to tasks (messages, metrics) and must not depend on the tasks API.
 */
export async function insertTaskRow(
  dataSource: DataSource,
  tenantId: string,
  overrides: { status?: TaskStatus; agentId?: string | null } = {},
): Promise<{ workflowId: string; taskId: string }> {
  const workflowId = uuidv7();
  const taskId = uuidv7();
  await dataSource.query(`INSERT INTO workflows (id, tenant_id, description, created_by, updated_by) VALUES ($1, $2, 'test workflow', 'test', 'test')`, [
    workflowId,
    tenantId,
  ]);
  await dataSource.query(
    `INSERT INTO tasks (id, tenant_id, workflow_id, agent_id, description, status, created_by, updated_by)
     VALUES ($1, $2, $3, $4, 'test task', $5, 'test', 'test')`,
    [taskId, tenantId, workflowId, overrides.agentId ?? null, overrides.status ?? 'pending'],
  );
  return { workflowId, taskId };
}
