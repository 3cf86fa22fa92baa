import { AgentsService } from './agents.service';
import { CreateAgentDto } from './dto/create-agent.dto';
import { PersistContext, PersistedObject, PersistenceHandler, PersistenceHandlerContract, PersistItem } from '../outbox/persistence-handler';

/** `core/agent.registration@1`: an agent proposed by a model (same shape as the body of POST /agents). */
@PersistenceHandler({ namespace: 'core', schema: 'agent.registration@1', resultType: CreateAgentDto })
export class AgentRegistrationHandler implements PersistenceHandlerContract<CreateAgentDto> {
  constructor(private readonly agents: AgentsService) {}

  async persist(result: CreateAgentDto, ctx: PersistContext): Promise<PersistedObject> {
    const agent = await this.agents.registerIn(ctx.tx, result);
    return { type: 'agent', id: agent.id };
  }

  /** A batch's agents in one INSERT. */
  async persistMany(items: PersistItem<CreateAgentDto>[]): Promise<PersistedObject[]> {
    const agents = await this.agents.registerEachIn(items.map(({ result, ctx }) => ({ tx: ctx.tx, input: result })));
    return agents.map((agent) => ({ type: 'agent', id: agent.id }));
  }
}
