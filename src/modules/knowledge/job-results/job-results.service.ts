import { Injectable } from '@nestjs/common';
import { RequestContext } from '../../../common/auth/request-context';
import { AggregateNotFoundError, bulkItem, FieldPath, singleItem } from '../../../common/errors';
import { Page, PageRequest } from '../../../common/persistence/paginate';
import { Transaction, UnitOfWork } from '../../../common/persistence/unit-of-work';
import { KnowledgeEvents } from '../knowledge.events';
import { uuidv7 } from '../../../common/persistence/uuid-v7';
import { JobResult } from './job-result.entity';
import { JobResultsRepository, NewJobResultRow } from './job-results.repository';
import { checkItemReferences } from '../../../common/persistence/references';
import { WithAgentKeys } from '../../agents/agent-keys';
import { AgentsService } from '../../agents/agents.service';
import { TasksService } from '../../tasks/tasks.service';
import { createdBy } from '../../../common/persistence/new-row';
import { RecordEvent } from '../../../common/persistence/record-events';

export interface NewJobResult {
  jobId: string;
  taskId?: string | null;
  agentId?: string | null;
  status?: string | null;
  outputArtifacts?: Record<string, unknown>;
  metrics?: Record<string, unknown>;
}

/** Every result's event, derived from its row. */
export const JOB_RESULT_RECORDED: RecordEvent<JobResult, 'job_result.recorded'> = {
  type: KnowledgeEvents.jobResultRecorded,
  aggregateType: 'job_result',
  payload: { jobResultId: 'id', jobId: 'jobId', taskId: 'taskId', agentId: 'agentId', status: 'status' },
};

/** The row of a result; `references` overrides its taskId and agentId with what they resolved to. */
export function newJobResult(ctx: RequestContext, input: NewJobResult, references?: { taskId: string | null; agentId: string | null }): NewJobResultRow {
  return {
    id: uuidv7(),
    tenantId: ctx.tenantId,
    jobId: input.jobId,
    taskId: references ? references.taskId : (input.taskId ?? null),
    agentId: references ? references.agentId : (input.agentId ?? null),
    status: input.status ?? null,
    outputArtifacts: input.outputArtifacts ?? {},
    metrics: input.metrics ?? {},
    ...createdBy(ctx),
  };
}

/** Job results: append-only, each with its `job_result.recorded` event. Other modules record them inside their own transaction. */
@Injectable()
export class JobResultsService {
  constructor(
    private readonly jobResults: JobResultsRepository,
    private readonly agents: AgentsService,
    private readonly tasks: TasksService,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  /**
   * Records a result inside the caller's transaction. The caller vouches for its taskId and
   * agentId (the task result handler takes them from the task it has just changed).
   */
  async recordIn(tx: Transaction, input: NewJobResult): Promise<JobResult> {
    const [result] = await this.unitOfWork.append(tx, JobResult, [newJobResult(tx.context, input) as JobResult], JOB_RESULT_RECORDED);
    return result;
  }

  /** Stores a result; a taskId or agentId the tenant cannot see is a 422 naming the field. */
  async record(ctx: RequestContext, input: NewJobResult): Promise<WithAgentKeys<JobResult>> {
    const { value, agentKeys } = await this.insert(ctx, [input], singleItem);
    return { value: value[0], agentKeys };
  }

  /** Stores every result or none, in one statement; each reference the tenant cannot see is a 422 naming `items.<i>.<field>`. */
  recordMany(ctx: RequestContext, inputs: NewJobResult[]): Promise<WithAgentKeys<JobResult[]>> {
    return this.insert(ctx, inputs, bulkItem);
  }

  async get(ctx: RequestContext, id: string): Promise<WithAgentKeys<JobResult>> {
    const result = await this.jobResults.findById(ctx.tenantId, id);
    if (!result) throw new AggregateNotFoundError('job result', id);
    return this.agents.withKeys(ctx, result, [result.agentId]);
  }

  async list(ctx: RequestContext, filters: { jobId?: string }, page: PageRequest): Promise<WithAgentKeys<Page<JobResult>>> {
    const found = await this.jobResults.list(ctx.tenantId, filters, page);
    return this.agents.pageWithKeys(ctx, found);
  }

  private async insert(ctx: RequestContext, inputs: NewJobResult[], field: FieldPath): Promise<WithAgentKeys<JobResult[]>> {
    const [agents, tasks] = [this.agents.references, this.tasks.references];
    const resolved = await checkItemReferences(ctx.tenantId, inputs, field, [
      ['agentId', agents],
      ['taskId', tasks],
    ]);
    const rows = inputs.map((input) => newJobResult(ctx, input, { agentId: resolved.id(agents, input.agentId), taskId: resolved.id(tasks, input.taskId) }));
    // One statement for the rows and their events: every result of a bulk request, or none.
    const results = await this.unitOfWork.append(ctx, JobResult, rows as JobResult[], JOB_RESULT_RECORDED);
    return { value: results, agentKeys: this.agents.keysResolved(resolved) };
  }
}
