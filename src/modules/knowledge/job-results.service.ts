import { Injectable } from '@nestjs/common';
import { Transaction } from '../../common/persistence/unit-of-work';
import { uuidv7 } from '../../common/persistence/uuid-v7';
import { JobResult } from './job-result.entity';
import { JobResultsRepository } from './job-results.repository';

export interface NewJobResult {
  jobId: string;
  taskId?: string | null;
  agentId?: string | null;
  status?: string | null;
  outputArtifacts?: Record<string, unknown>;
  metrics?: Record<string, unknown>;
}

/** Job results (append-only). Other modules record them inside their own transaction. */
@Injectable()
export class JobResultsService {
  constructor(private readonly jobResults: JobResultsRepository) {}

  recordIn(tx: Transaction, input: NewJobResult): Promise<JobResult> {
    return this.jobResults.insert(tx.manager, {
      id: uuidv7(),
      tenantId: tx.context.tenantId,
      jobId: input.jobId,
      taskId: input.taskId ?? null,
      agentId: input.agentId ?? null,
      status: input.status ?? null,
      outputArtifacts: input.outputArtifacts ?? {},
      metrics: input.metrics ?? {},
      createdBy: tx.context.actorId,
    });
  }
}
