import { ApiProperty } from '@nestjs/swagger';
import { AgentKeys, ApiAgentKey } from '../../../agents/agent-keys';
import { ApiKeyIdProperty } from '../../../../common/http/audited.response';
import { JobResult } from '../job-result.entity';
import { PageOf, BulkOf } from '../../../../common/http/collections';

export class JobResultResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  jobId: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  taskId: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  agentId: string | null;

  @ApiAgentKey('agentId')
  agentKey: string | null;

  @ApiProperty({ type: String, nullable: true })
  status: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true })
  outputArtifacts: Record<string, unknown>;

  @ApiProperty({ type: 'object', additionalProperties: true })
  metrics: Record<string, unknown>;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ description: 'Actor that recorded it' })
  createdBy: string;

  @ApiKeyIdProperty('recorded it')
  createdByKeyId: string | null;

  static from(result: JobResult, agentKeys: AgentKeys): JobResultResponse {
    return {
      id: result.id,
      jobId: result.jobId,
      taskId: result.taskId,
      agentId: result.agentId,
      agentKey: agentKeys.of(result.agentId),
      status: result.status,
      outputArtifacts: result.outputArtifacts,
      metrics: result.metrics,
      createdAt: result.createdAt.toISOString(),
      createdBy: result.createdBy,
      createdByKeyId: result.createdByKeyId,
    };
  }
}

export class JobResultPage extends PageOf(JobResultResponse) {}

export class JobResultList extends BulkOf(JobResultResponse) {}
