import { PersistContext, PersistedObject, PersistenceHandler, PersistenceHandlerContract } from '../../outbox/persistence-handler';
import { TasksService } from '../../tasks/tasks.service';
import { TaskResultDto } from './dto/task-result.dto';
import { JobResultsService } from './job-results.service';

/**
 * `core/task.result@1`: a task's outcome. In the outbox's transaction: the task's terminal
 * transition with output, error and duration (TasksService counts it in the agent's metrics),
 * and a job result keyed by the call id.
 */
@PersistenceHandler({ namespace: 'core', schema: 'task.result@1', resultType: TaskResultDto })
export class TaskResultHandler implements PersistenceHandlerContract<TaskResultDto> {
  constructor(
    private readonly tasks: TasksService,
    private readonly jobResults: JobResultsService,
  ) {}

  async persist(result: TaskResultDto, ctx: PersistContext): Promise<PersistedObject> {
    const { task } = await this.tasks.applyResult(ctx.tx, result.taskId, result);
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
