import { ApiProperty } from '@nestjs/swagger';
import { AGENT_STATUSES, Agent, AgentStatus } from '../agent.entity';

export class AgentResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

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

  @ApiProperty({ description: 'Send it back as If-Match: "<version>" to update', example: 1 })
  version: number;

  @ApiProperty({ description: 'Actor that registered the agent' })
  createdBy: string;

  @ApiProperty({ description: 'Actor of the last change' })
  updatedBy: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  static from(agent: Agent): AgentResponse {
    return {
      id: agent.id,
      name: agent.name,
      role: agent.role,
      description: agent.description,
      status: agent.status,
      metadata: agent.metadata,
      lastHeartbeatAt: agent.lastHeartbeatAt?.toISOString() ?? null,
      version: agent.version,
      createdBy: agent.createdBy,
      updatedBy: agent.updatedBy,
      createdAt: agent.createdAt.toISOString(),
      updatedAt: agent.updatedAt.toISOString(),
    };
  }
}

export class AgentPage {
  @ApiProperty({ type: [AgentResponse] })
  items: AgentResponse[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as ?cursor= for the next page; null on the last page' })
  nextCursor: string | null;
}

export class AgentList {
  @ApiProperty({ type: [AgentResponse] })
  items: AgentResponse[];
}
