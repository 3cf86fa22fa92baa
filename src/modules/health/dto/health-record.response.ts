import { ApiProperty } from '@nestjs/swagger';
import { AgentKeys, ApiAgentKey } from '../../agents/agent-keys';
import { ApiKeyIdProperty } from '../../../common/http/audited.response';
import { HEALTH_STATUSES, HealthRecord, HealthStatus } from '../health-record.entity';
import { PageOf } from '../../../common/http/collections';

export class HealthRecordResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'vector-store' })
  component: string;

  @ApiProperty({ enum: HEALTH_STATUSES })
  status: HealthStatus;

  @ApiProperty({ type: String, nullable: true })
  message: string | null;

  @ApiProperty({ type: Number, nullable: true })
  responseTimeMs: number | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  agentId: string | null;

  @ApiAgentKey('agentId')
  agentKey: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true })
  details: Record<string, unknown>;

  @ApiProperty({ format: 'date-time', description: 'When the service stored the record' })
  recordedAt: string;

  @ApiProperty({ description: 'Actor that reported it' })
  createdBy: string;

  @ApiKeyIdProperty('recorded it')
  createdByKeyId: string | null;

  static from(record: HealthRecord, agentKeys: AgentKeys): HealthRecordResponse {
    return {
      id: record.id,
      component: record.component,
      status: record.status,
      message: record.message,
      responseTimeMs: record.responseTimeMs,
      agentId: record.agentId,
      agentKey: agentKeys.of(record.agentId),
      details: record.details,
      recordedAt: record.recordedAt.toISOString(),
      createdBy: record.createdBy,
      createdByKeyId: record.createdByKeyId,
    };
  }
}

export class HealthRecordPage extends PageOf(HealthRecordResponse) {}
