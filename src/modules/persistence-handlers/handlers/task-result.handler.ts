import { JobResultsService } from '../../knowledge/job-results.service';
import { TasksService } from '../../tasks/tasks.service';
import { PersistContext, PersistedObject, PersistenceHandler, PersistenceHandlerContract } from '../persistence-handler';
import { TaskResultDto } from './task-result.dto';

/**
 * `core/task.result@1`: a task's outcome. In the outbox's transaction: the task's terminal
 * transition with output, error and duration (a pending task is started first), the agent's
 * metrics (counted by the transition), and a job result keyed by the call id.
 */
@PersistenceHandler({ namespace: 'core', schema: 'task.result@1', resultType: TaskResultDto })
export class TaskResultHandler implements PersistenceHandlerContract<TaskResultDto> {
  constructor(
    private readonly tasks: TasksService,
    private readonly jobResults: JobResultsService,
  ) {}

  async persist(result: TaskResultDto, ctx: PersistContext): Promise<PersistedObject> {
    const current = await this.tasks.get(ctx.tx.context, result.taskId, ctx.tx.manager);
    if (current.task.status === 'pending') await this.tasks.change(ctx.tx, result.taskId, { status: 'running' });
    const { task } = await this.tasks.change(ctx.tx, result.taskId, {
      status: result.status,
      changes: { output: result.output, error: result.error, durationMs: result.durationMs },
    });
    const jobResult = await this.jobResults.recordIn(ctx.tx, {
      jobId: ctx.callId,
      taskId: task.id,
      agentId: task.agentId,
      status: result.status,
      outputArtifacts: result.output ?? {},
      metrics: result.durationMs === undefined ? {} : { durationMs: result.durationMs },
    });
    return { type: 'job_result', id: jobResult.id };
  }
}
