import { Agent } from '../../../modules/agents/agent.entity';
import { CreateAgentDto } from '../../../modules/agents/dto/create-agent.dto';
import { LegacyRow } from '../legacy-row';
import { LegacyMapper } from './legacy-mapper';

export class AgentMapper extends LegacyMapper<CreateAgentDto> {
  readonly type = 'agent';
  readonly entity = Agent;
  readonly dto = CreateAgentDto;
  readonly fields = ['name', 'role', 'description', 'status', 'metadata', 'createdAt', 'updatedAt'];

  protected values(body: CreateAgentDto, row: LegacyRow): Record<string, unknown> {
    return {
      name: body.name,
      role: body.role,
      description: body.description ?? null,
      status: body.status ?? 'idle',
      metadata: body.metadata ?? {},
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  }
}
