import { AgentsService } from './agents.service';
import { CreateAgentDto } from './dto/create-agent.dto';
import { PersistContext, PersistedObject, PersistenceHandler, PersistenceHandlerContract } from '../outbox/persistence-handler';

/** `core/agent.registration@1`: an agent proposed by a model (same shape as the body of POST /agents). */
@PersistenceHandler({ namespace: 'core', schema: 'agent.registration@1', resultType: CreateAgentDto })
export class AgentRegistrationHandler implements PersistenceHandlerContract<CreateAgentDto> {
  constructor(private readonly agents: AgentsService) {}

  async persist(result: CreateAgentDto, ctx: PersistContext): Promise<PersistedObject> {
    const agent = await this.agents.registerIn(ctx.tx, result);
    return { type: 'agent', id: agent.id };
  }
}
