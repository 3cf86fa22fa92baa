import { Injectable } from '@nestjs/common';
import { RequestContext } from '../../../common/auth/request-context';
import { bulkItem, FieldPath, singleItem } from '../../../common/errors';
import { Page, PageRequest } from '../../../common/persistence/paginate';
import { Transaction } from '../../../common/persistence/unit-of-work';
import { uuidv7 } from '../../../common/persistence/uuid-v7';
import { JobResult } from './job-result.entity';
import { JobResultsRepository, NewJobResultRow } from './job-results.repository';
import { KnowledgeReferences } from '../knowledge-references';

export interface NewJobResult {
  jobId: string;
  taskId?: string | null;
  agentId?: string | null;
  status?: string | null;
  outputArtifacts?: Record<string, unknown>;
  metrics?: Record<string, unknown>;
}

/** Job results (append-only, no domain event). Other modules record them inside their own transaction. */
@Injectable()
export class JobResultsService {
  constructor(
    private readonly jobResults: JobResultsRepository,
    private readonly references: KnowledgeReferences,
  ) {}

  /**
   * Records a result inside the caller's transaction. The caller vouches for its taskId and
   * agentId (the task result handler takes them from the task it has just changed).
   */
  recordIn(tx: Transaction, input: NewJobResult): Promise<JobResult> {
    return this.jobResults.insert(tx.manager, this.newRow(tx.context, input));
  }

  /** Stores a result; a taskId or agentId the tenant cannot see is a 422 naming the field. */
  async record(ctx: RequestContext, input: NewJobResult): Promise<JobResult> {
    const [result] = await this.insert(ctx, [input], singleItem);
    return result;
  }

  /** Stores every result or none, in one statement; each reference the tenant cannot see is a 422 naming `items.<i>.<field>`. */
  recordMany(ctx: RequestContext, inputs: NewJobResult[]): Promise<JobResult[]> {
    return this.insert(ctx, inputs, bulkItem);
  }

  list(ctx: RequestContext, filters: { jobId?: string }, page: PageRequest): Promise<Page<JobResult>> {
    return this.jobResults.list(ctx.tenantId, filters, page);
  }

  private async insert(ctx: RequestContext, inputs: NewJobResult[], field: FieldPath): Promise<JobResult[]> {
    await this.references.assertKnown(ctx, inputs, field);
    return this.jobResults.insertMany(inputs.map((input) => this.newRow(ctx, input)));
  }

  private newRow(ctx: RequestContext, input: NewJobResult): NewJobResultRow {
    return {
      id: uuidv7(),
      tenantId: ctx.tenantId,
      jobId: input.jobId,
      taskId: input.taskId ?? null,
      agentId: input.agentId ?? null,
      status: input.status ?? null,
      outputArtifacts: input.outputArtifacts ?? {},
      metrics: input.metrics ?? {},
      createdBy: ctx.actorId,
    };
  }
}
