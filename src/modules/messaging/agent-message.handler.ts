import { CreateMessageDto } from './dto/create-message.dto';
import { MessagingService } from './messaging.service';
import { PersistContext, PersistedObject, PersistenceHandler, PersistenceHandlerContract } from '../outbox/persistence-handler';

/** `core/agent.message@1`: a message between two agents (same shape as the body of POST /messages). */
@PersistenceHandler({ namespace: 'core', schema: 'agent.message@1', resultType: CreateMessageDto })
export class AgentMessageHandler implements PersistenceHandlerContract<CreateMessageDto> {
  constructor(private readonly messaging: MessagingService) {}

  async persist(result: CreateMessageDto, ctx: PersistContext): Promise<PersistedObject> {
    const message = await this.messaging.sendIn(ctx.tx, result);
    return { type: 'message', id: message.id };
  }
}
