import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { RequestContext } from '../../common/auth/request-context';
import { assertTransition } from '../../common/domain/transitions';
import { FieldError, UnknownReferenceError, VersionConflictError } from '../../common/errors';
import { Page, PageRequest } from '../../common/persistence/paginate';
import { NewDomainEvent } from '../../common/events/event-catalog';
import { insertReturning } from '../../common/persistence/insert-statement';
import { NewRow, Transaction, UnitOfWork } from '../../common/persistence/unit-of-work';
import { newAuditedFields } from '../../common/persistence/new-row';
import { AgentNotFoundError } from '../agents/agents.errors';
import { AgentsService } from '../agents/agents.service';
import { CreateMessageDto } from './dto/create-message.dto';
import { MESSAGE_TRANSITIONS, timestampsFor } from './message-transitions';
import { Message, MessageStatus } from './message.entity';
import { MessageNotFoundError } from './messaging.errors';
import { MessageEvents } from './messaging.events';
import { isMissingTaskError, MessageDirection, MessagingRepository } from './messaging.repository';

const missingTask: FieldError = { field: 'taskId', message: 'taskId does not name an existing task' };

@Injectable()
export class MessagingService {
  constructor(
    private readonly messages: MessagingRepository,
    private readonly agents: AgentsService,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  /**
   * Sends a message between two agents of the caller's tenant, optionally about one of its tasks,
   * with its `message.sent` event in the same statement. A reference the tenant cannot see is a
   * 422 naming the field. Agents are not locked: a message may outlive its agents by design.
   */
  async send(ctx: RequestContext, input: CreateMessageDto): Promise<Message> {
    await this.assertReferences(ctx, input);
    try {
      const [message] = await this.unitOfWork.insert(ctx, Message, [this.newMessage(ctx, input)], (row) => this.sentEvent(row));
      return message;
    } catch (error) {
      if (isMissingTaskError(error)) throw new UnknownReferenceError([missingTask]);
      throw error;
    }
  }

  /** Sends a message inside the caller's transaction (for persistence handlers and other modules). */
  async sendIn(tx: Transaction, input: CreateMessageDto): Promise<Message> {
    await this.assertReferences(tx.context, input, tx.manager);
    const [message] = await insertReturning(tx.manager, Message, [{ ...this.newMessage(tx.context, input), version: 1 }]);
    tx.record(this.sentEvent(message));
    return message;
  }

  async get(ctx: RequestContext, id: string): Promise<Message> {
    const message = await this.messages.findById(ctx.tenantId, id);
    if (!message) throw new MessageNotFoundError(id);
    return message;
  }

  /** The agent's messages in creation order; an agent the tenant cannot see is a 404. */
  async listForAgent(ctx: RequestContext, agentId: string, direction: MessageDirection, page: PageRequest): Promise<Page<Message>> {
    await this.agents.get(ctx, agentId);
    return this.messages.listForAgent(ctx.tenantId, agentId, direction, page);
  }

  /**
   * Moves the message to `to` along MESSAGE_TRANSITIONS, stamping receivedAt or processedAt.
   * The version is checked before the transition, so a caller that lost a race hears 409
   * (reload and retry), not 422 about a state it never saw.
   */
  changeStatus(ctx: RequestContext, id: string, expectedVersion: number, to: MessageStatus): Promise<Message> {
    return this.unitOfWork.run(ctx, async (tx) => {
      const before = await this.messages.findById(ctx.tenantId, id, tx.manager);
      if (!before) throw new MessageNotFoundError(id);
      if (before.version !== expectedVersion) throw new VersionConflictError('message', id, expectedVersion, before.version);
      assertTransition(MESSAGE_TRANSITIONS, 'message', id, before.status, to);
      const message = await this.messages.update(
        tx.manager,
        { tenantId: ctx.tenantId, id, expectedVersion },
        { status: to, ...timestampsFor(to, new Date()), updatedBy: ctx.actorId },
      );
      tx.record({
        type: MessageEvents.statusChanged,
        aggregateType: 'message',
        aggregateId: id,
        aggregateVersion: message.version,
        payload: { messageId: id, from: before.status, to },
      });
      return message;
    });
  }

  private sentEvent(row: NewRow<Message>): NewDomainEvent<'message.sent'> {
    return {
      type: MessageEvents.sent,
      aggregateType: 'message',
      aggregateId: row.id,
      aggregateVersion: 1,
      payload: { messageId: row.id, fromAgentId: row.fromAgentId, toAgentId: row.toAgentId, taskId: row.taskId, type: row.type },
    };
  }

  /** Every body reference the tenant cannot see, reported together (one after the other: a transaction is one session). */
  private async assertReferences(ctx: RequestContext, input: CreateMessageDto, manager?: EntityManager): Promise<void> {
    const problems = [
      await this.agentProblem(ctx, 'fromAgentId', input.fromAgentId, manager),
      await this.agentProblem(ctx, 'toAgentId', input.toAgentId, manager),
      await this.taskProblem(ctx, input.taskId, manager),
    ];
    const errors = problems.filter((problem): problem is FieldError => problem !== undefined);
    if (errors.length > 0) throw new UnknownReferenceError(errors);
  }

  private async agentProblem(ctx: RequestContext, field: string, agentId: string, manager?: EntityManager): Promise<FieldError | undefined> {
    try {
      await this.agents.get(ctx, agentId, manager);
      return undefined;
    } catch (error) {
      if (error instanceof AgentNotFoundError) return { field, message: `${field} does not name an existing agent` };
      throw error;
    }
  }

  private async taskProblem(ctx: RequestContext, taskId: string | null | undefined, manager?: EntityManager): Promise<FieldError | undefined> {
    if (taskId == null) return undefined;
    return (await this.messages.taskExists(ctx.tenantId, taskId, manager)) ? undefined : missingTask;
  }

  private newMessage(ctx: RequestContext, input: CreateMessageDto): NewRow<Message> {
    return {
      ...newAuditedFields(ctx),
      fromAgentId: input.fromAgentId,
      toAgentId: input.toAgentId,
      taskId: input.taskId ?? null,
      type: input.type,
      content: input.content,
      status: 'sent',
      sentAt: new Date(),
      receivedAt: null,
      processedAt: null,
    };
  }
}
