import { CreateJobResultDto } from '../../../modules/knowledge/job-results/dto/create-job-result.dto';
import { JobResult } from '../../../modules/knowledge/job-results/job-result.entity';
import { LegacyRow } from '../legacy-row';
import { LegacyMapper } from './legacy-mapper';

/** Job results are append-only: they keep `created_at` only. */
export class JobResultMapper extends LegacyMapper<CreateJobResultDto> {
  readonly type = 'job_result';
  readonly entity = JobResult;
  readonly dto = CreateJobResultDto;
  override readonly references = [
    { field: 'taskId', type: 'task' },
    { field: 'agentId', type: 'agent' },
  ];
  readonly fields = ['jobId', 'taskId', 'agentId', 'status', 'outputArtifacts', 'metrics', 'createdAt'];

  protected values(body: CreateJobResultDto, row: LegacyRow): Record<string, unknown> {
    return {
      jobId: body.jobId,
      taskId: body.taskId ?? null,
      agentId: body.agentId ?? null,
      status: body.status ?? null,
      outputArtifacts: body.outputArtifacts ?? {},
      metrics: body.metrics ?? {},
      createdAt: row.createdAt,
    };
  }
}
