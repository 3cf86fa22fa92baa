import { Injectable } from '@nestjs/common';
import { RequestContext } from '../../common/auth/request-context';
import { Page, PageRequest } from '../../common/persistence/paginate';
import { Transaction } from '../../common/persistence/unit-of-work';
import { uuidv7 } from '../../common/persistence/uuid-v7';
import { JobResult } from './job-result.entity';
import { JobResultsRepository, NewJobResultRow } from './job-results.repository';

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
  constructor(private readonly jobResults: JobResultsRepository) {}

  recordIn(tx: Transaction, input: NewJobResult): Promise<JobResult> {
    return this.jobResults.insert(tx.manager, this.newRow(tx.context, input));
  }

  async record(ctx: RequestContext, input: NewJobResult): Promise<JobResult> {
    const [result] = await this.recordMany(ctx, [input]);
    return result;
  }

  /** Stores every result or none, in one statement. */
  recordMany(ctx: RequestContext, inputs: NewJobResult[]): Promise<JobResult[]> {
    return this.jobResults.insertMany(inputs.map((input) => this.newRow(ctx, input)));
  }

  list(ctx: RequestContext, filters: { jobId?: string }, page: PageRequest): Promise<Page<JobResult>> {
    return this.jobResults.list(ctx.tenantId, filters, page);
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
