import { ApiProperty } from '@nestjs/swagger';
import { AgentKeys, ApiAgentKey } from '../../../agents/agent-keys';
import { ApiKeyIdProperty } from '../../../../common/http/audited.response';
import { ActionLog } from '../action-log.entity';
import { PageOf, BulkOf } from '../../../../common/http/collections';

export class ActionLogResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  actionType: string;

  @ApiProperty({ type: 'object', additionalProperties: true })
  parameters: Record<string, unknown>;

  @ApiProperty({ type: String, nullable: true })
  error: string | null;

  @ApiProperty({ type: Number, nullable: true })
  durationMs: number | null;

  @ApiProperty({ type: String, nullable: true })
  traceId: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  agentId: string | null;

  @ApiAgentKey('agentId')
  agentKey: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ description: 'Actor that logged it' })
  createdBy: string;

  @ApiKeyIdProperty('recorded it')
  createdByKeyId: string | null;

  static from(log: ActionLog, agentKeys: AgentKeys): ActionLogResponse {
    return {
      id: log.id,
      actionType: log.actionType,
      parameters: log.parameters,
      error: log.error,
      durationMs: log.durationMs,
      traceId: log.traceId,
      agentId: log.agentId,
      agentKey: agentKeys.of(log.agentId),
      createdAt: log.createdAt.toISOString(),
      createdBy: log.createdBy,
      createdByKeyId: log.createdByKeyId,
    };
  }
}

export class ActionLogPage extends PageOf(ActionLogResponse) {}

export class ActionLogList extends BulkOf(ActionLogResponse) {}
