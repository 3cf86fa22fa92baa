import { randomUUID } from 'node:crypto';
import { CreateAgentDto } from '../../src/modules/agents/dto/create-agent.dto';

/** A valid `POST /agents` body; pass overrides for what the test is about. */
export function makeAgent(overrides: Partial<CreateAgentDto> = {}): CreateAgentDto {
  return {
    name: `agent-${randomUUID().slice(0, 8)}`,
    role: 'researcher',
    description: 'Finds and summarises sources',
    metadata: { model: 'test-model' },
    ...overrides,
  };
}
