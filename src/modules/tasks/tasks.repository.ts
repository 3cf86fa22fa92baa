import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { RunChange } from '../../common/domain/run-lifecycle';
import { RequestContext } from '../../common/auth/request-context';
import { DerivedEvent, derivedEventsStatement } from '../../common/events/domain-events.service';
import { CasKey, compareAndSet, deleteChecked, Patch } from '../../common/persistence/compare-and-set';
import { existingIds } from '../../common/persistence/existing-ids';
import { isForeignKeyViolationOf } from '../../common/persistence/foreign-key-violation';
import { hydrate } from '../../common/persistence/hydrate';
import { kept, Statement } from '../../common/persistence/insert-statement';
import { UpdatedBy } from '../../common/persistence/new-row';
import { Page, PageRequest, paginate } from '../../common/persistence/paginate';
import { idReferences, ReferenceKind } from '../../common/persistence/references';
import { Task, TaskStatus } from './task.entity';
import { TaskEvents } from './tasks.events';

export interface TaskFilters {
  status?: TaskStatus;
  agentId?: string;
  workflowId?: string;
  parentTaskId?: string;
}

/** `[task id, id of the task it depends on]`. */
export type DependencyEdge = readonly [string, string];

/** A dependency of a task, with its status. */
export interface DependencyStatus {
  id: string;
  status: TaskStatus;
}

/** The fields a change may set besides the status, as the body names them. */
export type TaskFields = Partial<Pick<Task, 'description' | 'priority' | 'output' | 'error' | 'durationMs'>>;

/** What one statement of a change is asked to do (see changeStatement). */
export interface TaskChangeRequest {
  /** The status asked for, if any. */
  status?: TaskStatus;
  /** For each status the task may be found in that the lifecycle allows the change from: whether it starts the task, and its status and stamps. */
  allowedFrom: ReadonlyMap<TaskStatus, RunChange<TaskStatus>>;
  fields: TaskFields;
  updatedBy: UpdatedBy;
}

/** What the statement of a change found, and what it changed. */
export interface TaskChangeOutcome {
  /** The task as the statement read it, with its dependencies; absent when it is not the tenant's. */
  found?: { version: number; status: TaskStatus; dependencies: DependencyStatus[] };
  /** The task as changed, the status it left and the ids of the events stored (in the order asked); absent when nothing changed. */
  changed?: { task: Task; from: TaskStatus; eventIds: string[]; occurredAt: string };
}

/**
 * The dependencies of the task `t` with each one's status (`d.depends_on_task_id`, `dt.status`), as
 * a FROM clause: each dependency's task looked up by its own key, one lookup per dependency (OFFSET
 * 0 keeps it so). Left to choose, a generic plan made while the tenant had a handful of tasks (a
 * prepared statement keeps it for the connection's life) read every task of the tenant and probed
 * the dependencies for each: with 600 tasks a status change read 1,283 pages instead of about 50.
 */
const DEPENDENCIES_OF_T = `task_dependencies d CROSS JOIN LATERAL (
           SELECT x.status FROM tasks x WHERE x.id = d.depends_on_task_id AND x.tenant_id = d.tenant_id OFFSET 0
         ) dt
         WHERE d.task_id = t.id AND d.tenant_id = t.tenant_id`;

/**
 * The events of a change, from the updated row `u` (see changeStatement, whose parameters $8 and
 * $9 they read): `task.updated` when fields were sent, `task.status_changed` when a status was.
 */
const CHANGE_EVENTS: readonly DerivedEvent[] = [
  { type: TaskEvents.updated, aggregateType: 'task', aggregateId: 'u.id', aggregateVersion: 'u.version', payload: '$8::jsonb' },
  {
    type: TaskEvents.statusChanged,
    aggregateType: 'task',
    aggregateId: 'u.id',
    aggregateVersion: 'u.version',
    payload: `CASE WHEN $9::text IS NOT NULL THEN jsonb_build_object('taskId', u.id, 'workflowId', u.workflow_id, 'agentId', u.agent_id, 'from', u.from_status_, 'to', u.status) END`,
  },
];

/** How each field a change may set is read from the JSON of the fields (a key present is a field sent; JSON null clears it). */
const FIELD_COLUMNS: Record<keyof TaskFields, { column: string; read: (json: string) => string }> = {
  description: { column: 'description', read: (json) => `${json} ->> 'description'` },
  priority: { column: 'priority', read: (json) => `(${json} ->> 'priority')::int` },
  output: { column: 'output', read: (json) => `nullif(${json} -> 'output', 'null'::jsonb)` },
  error: { column: 'error', read: (json) => `${json} ->> 'error'` },
  durationMs: { column: 'duration_ms', read: (json) => `(${json} ->> 'durationMs')::float8` },
};

/**
 * Every query on `tasks` and `task_dependencies`. Writes take the caller's transaction manager;
 * reads default to the pool.
 */
@Injectable()
export class TasksRepository {
  /** References to tasks in bodies, by id. */
  readonly references: ReferenceKind;
  /** The text of changeStatement, kept by the text of its events' CTE (see kept). */
  private readonly changeStatements = new Map<string, string>();

  constructor(private readonly dataSource: DataSource) {
    this.references = idReferences('task', 'tasks', () => this.dataSource.manager);
  }

  findById(tenantId: string, id: string, manager: EntityManager = this.dataSource.manager): Promise<Task | null> {
    return manager.findOneBy(Task, { tenantId, id });
  }

  /** True when a write failed because its agent_id names no agent (deleted since it was checked). */
  isMissingAgentError(error: unknown): boolean {
    return isForeignKeyViolationOf(this.dataSource, Task, 'agentId', error);
  }

  /** The subset of `ids` that name tasks of the tenant. */
  existingIds(tenantId: string, ids: string[], manager: EntityManager = this.dataSource.manager): Promise<Set<string>> {
    return existingIds(manager, Task, tenantId, ids);
  }

  /** Reads the task and locks its row until the transaction ends (other writers of the row wait). */
  lock(manager: EntityManager, tenantId: string, id: string): Promise<Task | null> {
    return manager
      .createQueryBuilder(Task, 'task')
      .where('task.id = :id AND task.tenantId = :tenantId', { id, tenantId })
      .setLock('for_no_key_update')
      .getOne();
  }

  /** The workflow of each of `ids` that names a task of the tenant; the others are absent from the map. */
  async workflowsOf(tenantId: string, ids: string[], manager: EntityManager = this.dataSource.manager): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows: { id: string; workflow_id: string }[] = await manager.query('SELECT id, workflow_id FROM tasks WHERE tenant_id = $1 AND id = ANY($2::uuid[])', [
      tenantId,
      ids,
    ]);
    return new Map(rows.map((row) => [row.id, row.workflow_id]));
  }

  list(tenantId: string, filters: TaskFilters, page: PageRequest): Promise<Page<Task>> {
    const query = this.dataSource.manager.createQueryBuilder(Task, 'task').where('task.tenantId = :tenantId', { tenantId });
    if (filters.status) query.andWhere('task.status = :status', { status: filters.status });
    if (filters.agentId) query.andWhere('task.agentId = :agentId', { agentId: filters.agentId });
    if (filters.workflowId) query.andWhere('task.workflowId = :workflowId', { workflowId: filters.workflowId });
    if (filters.parentTaskId) query.andWhere('task.parentTaskId = :parentTaskId', { parentTaskId: filters.parentTaskId });
    return paginate(query, page);
  }

  /** The tasks `taskId` depends on, in id order. */
  listDependencies(tenantId: string, taskId: string, page: PageRequest): Promise<Page<Task>> {
    const query = this.dataSource.manager
      .createQueryBuilder(Task, 'task')
      .where('task.tenantId = :tenantId', { tenantId })
      .andWhere('task.id IN (SELECT d.depends_on_task_id FROM task_dependencies d WHERE d.task_id = :taskId AND d.tenant_id = :tenantId)', {
        taskId,
      });
    return paginate(query, page);
  }

  /** The ids each of `taskIds` depends on, in id order (tasks without dependencies map to []). */
  async dependsOnOf(tenantId: string, taskIds: string[], manager: EntityManager = this.dataSource.manager): Promise<Map<string, string[]>> {
    const result = new Map<string, string[]>(taskIds.map((id) => [id, []]));
    if (taskIds.length === 0) return result;
    const rows: { task_id: string; depends_on_task_id: string }[] = await manager.query(
      `SELECT task_id, depends_on_task_id FROM task_dependencies
       WHERE tenant_id = $1 AND task_id = ANY($2::uuid[]) ORDER BY task_id, depends_on_task_id`,
      [tenantId, taskIds],
    );
    for (const row of rows) result.get(row.task_id)?.push(row.depends_on_task_id);
    return result;
  }

  /**
   * The task with the tasks it depends on and their status (in id order), read in one statement:
   * what a status change needs to decide, at the cost of one round trip.
   */
  async findWithDependencies(
    tenantId: string,
    id: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<{ task: Task; dependencies: { id: string; status: TaskStatus }[] } | null> {
    const rows: Record<string, unknown>[] = await manager.query(
      `SELECT t.*, coalesce((
         SELECT json_agg(json_build_object('id', d.depends_on_task_id, 'status', dt.status) ORDER BY d.depends_on_task_id)
         FROM ${DEPENDENCIES_OF_T}
       ), '[]'::json) AS dependencies_
       FROM tasks t WHERE t.id = $1 AND t.tenant_id = $2`,
      [id, tenantId],
    );
    if (rows.length === 0) return null;
    return { task: hydrate(manager, Task, rows[0]), dependencies: rows[0].dependencies_ as { id: string; status: TaskStatus }[] };
  }

  /** Every dependency edge reachable from `fromIds` by following dependencies (transitively). */
  async reachableEdges(manager: EntityManager, tenantId: string, fromIds: string[]): Promise<DependencyEdge[]> {
    if (fromIds.length === 0) return [];
    // UNION (not UNION ALL) drops rows already found, so the walk ends even on a cyclic graph.
    const rows: { task_id: string; depends_on_task_id: string }[] = await manager.query(
      `WITH RECURSIVE reachable (task_id, depends_on_task_id) AS (
         SELECT task_id, depends_on_task_id FROM task_dependencies WHERE tenant_id = $1 AND task_id = ANY($2::uuid[])
         UNION
         SELECT d.task_id, d.depends_on_task_id FROM task_dependencies d
         JOIN reachable r ON d.task_id = r.depends_on_task_id
         WHERE d.tenant_id = $1
       )
       SELECT task_id, depends_on_task_id FROM reachable`,
      [tenantId, fromIds],
    );
    return rows.map((row) => [row.task_id, row.depends_on_task_id] as const);
  }

  /**
   * Inserts dependency edges in one statement (arrays, so any number of edges fits in three
   * parameters); an edge that exists already is left alone. Returns the edges inserted.
   */
  async insertDependencies(manager: EntityManager, tenantId: string, edges: DependencyEdge[]): Promise<DependencyEdge[]> {
    if (edges.length === 0) return [];
    const rows: { task_id: string; depends_on_task_id: string }[] = await manager.query(
      `INSERT INTO task_dependencies (task_id, depends_on_task_id, tenant_id)
       SELECT e.task_id, e.depends_on_task_id, $3 FROM unnest($1::uuid[], $2::uuid[]) AS e (task_id, depends_on_task_id)
       ON CONFLICT DO NOTHING
       RETURNING task_id, depends_on_task_id`,
      [edges.map((edge) => edge[0]), edges.map((edge) => edge[1]), tenantId],
    );
    return rows.map((row) => [row.task_id, row.depends_on_task_id] as const);
  }

  delete(manager: EntityManager, key: { tenantId: string; id: string; expectedVersion?: number }): Promise<number> {
    return deleteChecked(manager, Task, key);
  }

  /** The ids of the subtasks of `id` at any depth, in id order. */
  async descendantIds(manager: EntityManager, tenantId: string, id: string): Promise<string[]> {
    const rows: { id: string }[] = await manager.query(
      `WITH RECURSIVE descendants (id) AS (
         SELECT id FROM tasks WHERE tenant_id = $1 AND parent_task_id = $2
         UNION
         SELECT t.id FROM tasks t JOIN descendants d ON t.parent_task_id = d.id WHERE t.tenant_id = $1
       )
       SELECT id FROM descendants ORDER BY id`,
      [tenantId, id],
    );
    return rows.map((row) => row.id);
  }

  /** Whether changeStatement can set every one of these fields (it cannot set agentId, whose agent a change must lock first). */
  setsInOneStatement(fields: object): fields is TaskFields {
    return Object.keys(fields).every((field) => field in FIELD_COLUMNS);
  }

  /**
   * ONE statement that changes a task made against `expectedVersion` and inserts its events: it reads
   * the task with its dependencies' statuses, and updates it (compare-and-set on the version) only
   * from a status in `allowedFrom`, with that status's patch, and, when that patch starts the task,
   * only if every dependency has completed; then `task.updated` (when fields were sent) and
   * `task.status_changed` (when a status was) from the updated row. Its text does not depend on
   * the request (the fields travel as one JSON parameter), so it is prepared once per connection.
   * Read its rows with readChange: they tell an update from a miss, and why it missed.
   */
  changeStatement(context: RequestContext, key: CasKey, request: TaskChangeRequest): Statement {
    if (!this.setsInOneStatement(request.fields)) throw new Error(`a task change cannot set ${Object.keys(request.fields).join(', ')} in one statement`);
    const allowedFrom = Object.fromEntries(
      [...request.allowedFrom].map(([status, { starts, patch }]) => [
        status,
        { starts, status: patch.status, startedAt: patch.startedAt, finishedAt: patch.finishedAt },
      ]),
    );
    const changed = Object.keys(request.fields);
    const params: unknown[] = [
      key.id,
      key.tenantId,
      key.expectedVersion,
      JSON.stringify(allowedFrom),
      JSON.stringify(request.fields),
      request.updatedBy.updatedBy,
      request.updatedBy.updatedByKeyId,
      changed.length > 0 ? JSON.stringify({ taskId: key.id, changed }) : null,
      request.status ?? null,
    ];
    const eventsSql = derivedEventsStatement(context, 'updated u', CHANGE_EVENTS, params);
    return { sql: kept(this.changeStatements, eventsSql, () => changeText(eventsSql)), params };
  }

  /** What the rows of changeStatement say. */
  readChange(rows: Record<string, unknown>[]): TaskChangeOutcome {
    if (rows.length === 0) return {};
    const [row] = rows;
    const found = {
      version: Number(row.found_version_),
      status: row.found_status_ as TaskStatus,
      dependencies: (typeof row.found_dependencies_ === 'string' ? JSON.parse(row.found_dependencies_) : row.found_dependencies_) as DependencyStatus[],
    };
    if (row.id === null) return { found };
    const manager = this.dataSource.manager;
    return {
      found,
      changed: {
        task: hydrate(manager, Task, row),
        from: row.from_status_ as TaskStatus,
        eventIds: ((row.event_ids_ as unknown[] | null) ?? []).map(String),
        occurredAt: row.events_occurred_at_ as string,
      },
    };
  }

  update(manager: EntityManager, key: CasKey, patch: Patch<Task>): Promise<Task> {
    return compareAndSet(manager, Task, key, patch);
  }
}

/** The text of changeStatement around its events' CTE (see changeStatement's parameters). */
function changeText(eventsSql: string): string {
  const fields = '$5::jsonb';
  const sets = Object.entries(FIELD_COLUMNS).map(
    ([field, { column, read }]) => `${column} = CASE WHEN ${fields} -> '${field}' IS NULL THEN t.${column} ELSE ${read(fields)} END`,
  );
  return `WITH found AS (
      SELECT t.version, t.status, $4::jsonb -> t.status AS allowed, deps.dependencies, deps.unfinished
      FROM tasks t CROSS JOIN LATERAL (
        SELECT coalesce(json_agg(json_build_object('id', d.depends_on_task_id, 'status', dt.status) ORDER BY d.depends_on_task_id), '[]'::json) AS dependencies,
               coalesce(bool_or(dt.status <> 'completed'), false) AS unfinished
        FROM ${DEPENDENCIES_OF_T}
      ) deps
      WHERE t.id = $1 AND t.tenant_id = $2
    ),
    updated AS (
      UPDATE tasks t SET
        status = coalesce(f.allowed ->> 'status', t.status),
        started_at = CASE WHEN f.allowed -> 'startedAt' IS NULL THEN t.started_at ELSE (f.allowed ->> 'startedAt')::timestamptz END,
        finished_at = CASE WHEN f.allowed -> 'finishedAt' IS NULL THEN t.finished_at ELSE (f.allowed ->> 'finishedAt')::timestamptz END,
        ${sets.join(', ')},
        updated_by = $6, updated_by_key_id = $7, updated_at = now(), version = t.version + 1
      FROM found f
      WHERE t.id = $1 AND t.tenant_id = $2 AND t.version = $3::int AND t.status = f.status
        AND f.allowed IS NOT NULL AND NOT ((f.allowed ->> 'starts')::boolean AND f.unfinished)
      RETURNING t.*, f.status AS from_status_
    ),
    events AS (${eventsSql})
    SELECT f.version AS found_version_, f.status AS found_status_, f.dependencies AS found_dependencies_, u.*,
      (SELECT array_agg(e.id ORDER BY e.id) FROM events e) AS event_ids_,
      (SELECT min(e.occurred_at) FROM events e) AS events_occurred_at_
    FROM found f LEFT JOIN updated u ON true`;
}
