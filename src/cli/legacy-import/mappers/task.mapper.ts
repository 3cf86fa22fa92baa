import { CreateTaskDto } from '../../../modules/tasks/dto/create-task.dto';
import { Task } from '../../../modules/tasks/task.entity';
import { LegacyRow } from '../legacy-row';
import { SqlClient } from '../sources/sql-client';
import { holdingWorkflowId } from '../target-id';
import { LegacyMapper, MapContext, MappedRow, ResolvedData } from './legacy-mapper';

/**
 * A pending task, as `POST /tasks` (or `POST /tasks/:parentTaskId/subtasks`) creates one. A
 * subtask goes into its parent's workflow; a task that names neither a workflow nor a parent
 * goes into the holding workflow of its tenant and table. Like the API, a task waits only for
 * tasks of its own workflow. Dependencies are rows of `task_dependencies`, written in the
 * task's statement.
 */
export class TaskMapper extends LegacyMapper<CreateTaskDto> {
  readonly type = 'task';
  readonly entity = Task;
  readonly dto = CreateTaskDto;
  override readonly references = [
    { field: 'workflowId', type: 'workflow' },
    { field: 'parentTaskId', type: 'task' },
    { field: 'agentId', type: 'agent' },
    { field: 'dependsOn', type: 'task', many: true },
  ];
  readonly fields = ['workflowId', 'agentId', 'parentTaskId', 'description', 'priority', 'input', 'status', 'dependsOn', 'createdAt', 'updatedAt'];

  protected override shape(resolved: ResolvedData, ctx: MapContext): { body: Record<string, unknown>; problems: string[]; workflowId?: string } {
    const { parentTaskId, ...body } = resolved.data;
    const problems: string[] = [];
    const parent = resolved.decisions.get('parentTaskId');
    if (parentTaskId !== undefined && parentTaskId !== null && typeof parentTaskId !== 'string') {
      problems.push('parentTaskId must be a string (the legacy id of the parent task)');
    } else if (parent && 'workflowId' in parent) {
      const named = resolved.decisions.get('workflowId');
      if (named && 'targetId' in named && named.targetId !== parent.workflowId) {
        problems.push(`workflowId: a subtask belongs to its parent's workflow, and legacy task ${JSON.stringify(parentTaskId)} is in another one`);
      }
      body.workflowId = parent.workflowId;
    } else if (body.workflowId === undefined || body.workflowId === null) {
      body.workflowId = holdingWorkflowId(ctx.tenantId, ctx.sourceTable);
    }
    const dependsOn = Array.isArray(resolved.data.dependsOn) ? resolved.data.dependsOn : [];
    dependsOn.forEach((_id, k) => {
      const dependency = resolved.decisions.get(`dependsOn.${k}`);
      if (dependency && 'workflowId' in dependency && dependency.workflowId !== body.workflowId) {
        problems.push(`dependsOn.${k}: a task waits only for tasks of its own workflow, and that task is in another one`);
      }
    });
    return { body, problems, workflowId: typeof body.workflowId === 'string' ? body.workflowId : undefined };
  }

  protected values(body: CreateTaskDto, row: LegacyRow, resolved: ResolvedData): Record<string, unknown> {
    const parentTaskId = resolved.data.parentTaskId;
    return {
      workflowId: body.workflowId,
      agentId: body.agentId ?? null,
      parentTaskId: typeof parentTaskId === 'string' ? parentTaskId : null,
      description: body.description,
      priority: body.priority ?? 0,
      input: body.input ?? {},
      status: 'pending',
      dependsOn: [...new Set(body.dependsOn ?? [])].sort(),
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  }

  /** The dependency edges of the batch's tasks, inserted by the same statement as the tasks. */
  override extraInserts(rows: MappedRow[], params: unknown[], tenantParam: string): string[] {
    const edges = rows.flatMap((row) => (row.values.dependsOn as string[]).map((target) => [row.targetId, target]));
    params.push(
      edges.map((edge) => edge[0]),
      edges.map((edge) => edge[1]),
    );
    const [from, to] = [params.length - 1, params.length];
    return [
      `INSERT INTO task_dependencies (task_id, depends_on_task_id, tenant_id)
       SELECT e.task_id, e.depends_on_task_id, ${tenantParam} FROM unnest($${from}::uuid[], $${to}::uuid[]) AS e (task_id, depends_on_task_id)`,
    ];
  }

  override async loadTargets(
    db: SqlClient,
    columns: ReadonlyMap<string, string>,
    table: string,
    tenantId: string,
    ids: string[],
  ): Promise<Map<string, Record<string, unknown>>> {
    const tasks = await super.loadTargets(db, columns, table, tenantId, ids);
    const edges = await db.query('SELECT task_id, depends_on_task_id FROM task_dependencies WHERE tenant_id = $1 AND task_id = ANY($2::uuid[])', [
      tenantId,
      ids,
    ]);
    for (const task of tasks.values()) task.dependsOn = [];
    for (const edge of edges) (tasks.get(String(edge.task_id))?.dependsOn as string[] | undefined)?.push(String(edge.depends_on_task_id));
    for (const task of tasks.values()) (task.dependsOn as string[]).sort();
    return tasks;
  }
}
