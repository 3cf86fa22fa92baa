import { ApiProperty } from '@nestjs/swagger';
import { AuditedResponse, auditedFields } from '../../../common/http/audited.response';
import { AGENT_STATUSES, Agent, AgentStatus } from '../agent.entity';
import { PageOf, BulkOf } from '../../../common/http/collections';

export class AgentResponse extends AuditedResponse {
  @ApiProperty({ type: String, nullable: true, example: 'agent_sena', description: 'Your own name for the agent, when it has one' })
  key: string | null;

  @ApiProperty()
  name: string;

  @ApiProperty()
  role: string;

  @ApiProperty({ type: String, nullable: true })
  description: string | null;

  @ApiProperty({ enum: AGENT_STATUSES })
  status: AgentStatus;

  @ApiProperty({ type: 'object', additionalProperties: true })
  metadata: Record<string, unknown>;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastHeartbeatAt: string | null;

  static from(agent: Agent): AgentResponse {
    return Object.assign(auditedFields(agent), {
      key: agent.key,
      name: agent.name,
      role: agent.role,
      description: agent.description,
      status: agent.status,
      metadata: agent.metadata,
      lastHeartbeatAt: agent.lastHeartbeatAt?.toISOString() ?? null,
    });
  }
}

export class AgentPage extends PageOf(AgentResponse) {}

export class AgentList extends BulkOf(AgentResponse) {}

export class AgentCounts {
  @ApiProperty({ example: 3 })
  idle: number;

  @ApiProperty({ example: 1 })
  busy: number;

  @ApiProperty({ example: 0 })
  offline: number;

  @ApiProperty({ example: 0 })
  error: number;

  static from(byStatus: Record<string, number>): AgentCounts {
    return Object.fromEntries(AGENT_STATUSES.map((status) => [status, byStatus[status] ?? 0])) as Record<AgentStatus, number>;
  }
}
