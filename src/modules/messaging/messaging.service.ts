import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { RequestContext } from '../../common/auth/request-context';
import { reportedInstant } from '../../common/domain/reported-time';
import { assertTransition } from '../../common/domain/transitions';
import {
  AggregateNotFoundError,
  FieldError,
  singleItem,
  UnknownReferenceError,
  UnprocessableError,
  ValidationFailedError,
  VersionConflictError,
} from '../../common/errors';
import { Page, PageRequest } from '../../common/persistence/paginate';
import { NewDomainEvent } from '../../common/events/event-catalog';
import { checkItemReferences } from '../../common/persistence/references';
import { NewRow, Transaction, UnitOfWork } from '../../common/persistence/unit-of-work';
import { AgentKeys, WithAgentKeys } from '../agents/agent-keys';
import { newAuditedRow, updatedBy } from '../../common/persistence/new-row';
import { AgentsService } from '../agents/agents.service';
import { CreateMessageDto } from './dto/create-message.dto';
import { MESSAGE_TRANSITIONS, MessageTimestamps, reportableTimestamps, timestampsFor } from './message-transitions';
import { Message, MessageStatus } from './message.entity';
import { MessageNotFoundError } from './messaging.errors';
import { MessageEvents } from './messaging.events';
import { MessageDirection, MessagingRepository } from './messaging.repository';

const missingTask: FieldError = { field: 'taskId', message: 'taskId does not name an existing task' };

/** A status change and the instants the agent reported with it. */
export interface MessageStatusChange {
  status: MessageStatus;
  receivedAt?: string;
  processedAt?: string;
}

/** A message is received after it was sent and handled after it was received: a reported instant out of that order is a 422. */
function assertInOrder(message: Message, stamps: MessageTimestamps): void {
  const receivedAt = stamps.receivedAt ?? message.receivedAt;
  const checks: [keyof MessageTimestamps, Date | null | undefined, Date, string][] = [
    ['receivedAt', stamps.receivedAt, message.sentAt, 'sentAt'],
    ['processedAt', stamps.processedAt, receivedAt ?? message.sentAt, receivedAt ? 'receivedAt' : 'sentAt'],
  ];
  for (const [field, instant, earliest, earlierField] of checks) {
    if (instant && instant.getTime() < earliest.getTime()) {
      throw new UnprocessableError(`${field} (${instant.toISOString()}) is before the message's ${earlierField} (${earliest.toISOString()})`, {
        errors: [{ field, message: `${field} must not be before ${earlierField}` }],
      });
    }
  }
}

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
  async send(ctx: RequestContext, input: CreateMessageDto): Promise<WithAgentKeys<Message>> {
    const { message: resolved, agentKeys } = await this.resolveReferences(ctx, input);
    try {
      const [message] = await this.unitOfWork.insert(ctx, Message, [this.newMessage(ctx, resolved)], (row) => this.sentEvent(row));
      return { value: message, agentKeys };
    } catch (error) {
      if (this.messages.isMissingTaskError(error)) throw new UnknownReferenceError([missingTask]);
      throw error;
    }
  }

  /** Sends a message inside the caller's transaction (for persistence handlers and other modules). */
  async sendIn(tx: Transaction, input: CreateMessageDto): Promise<Message> {
    const { message: resolved } = await this.resolveReferences(tx.context, input, tx.manager);
    const [message] = await this.unitOfWork.insert(tx, Message, [this.newMessage(tx.context, resolved)], (row) => this.sentEvent(row));
    return message;
  }

  async get(ctx: RequestContext, id: string): Promise<WithAgentKeys<Message>> {
    const message = await this.messages.findById(ctx.tenantId, id);
    if (!message) throw new MessageNotFoundError(id);
    return this.withKeys(ctx, message);
  }

  /** The agent's messages in creation order; an agent the tenant cannot see is a 404. */
  async listForAgent(ctx: RequestContext, agentId: string, direction: MessageDirection, page: PageRequest): Promise<WithAgentKeys<Page<Message>>> {
    const agent = await this.agents.get(ctx, agentId);
    // The agent's own key is known already: the lookup asks only for its correspondents'.
    return this.withKeys(ctx, await this.messages.listForAgent(ctx.tenantId, agentId, direction, page), new AgentKeys(new Map([[agent.id, agent.key]])));
  }

  /** The messages about a task, in creation order; a task the tenant cannot see is a 404. */
  async listForTask(ctx: RequestContext, taskId: string, page: PageRequest): Promise<WithAgentKeys<Page<Message>>> {
    if (!(await this.messages.taskExists(ctx.tenantId, taskId))) throw new AggregateNotFoundError('task', taskId);
    return this.withKeys(ctx, await this.messages.listForTask(ctx.tenantId, taskId, page));
  }

  /** Deletes the message (guarded by its version when the caller sent one), recording `message.deleted`. */
  async remove(ctx: RequestContext, id: string, expectedVersion?: number): Promise<void> {
    await this.unitOfWork.run(ctx, async (tx) => {
      const version = await this.messages.delete(tx.manager, { tenantId: ctx.tenantId, id, expectedVersion });
      tx.record({ type: MessageEvents.deleted, aggregateType: 'message', aggregateId: id, aggregateVersion: version, payload: { messageId: id } });
    });
  }

  /**
   * Moves the message to `to` along MESSAGE_TRANSITIONS, stamping receivedAt or processedAt.
   * The version is checked before the transition, so a caller that lost a race hears 409
   * (reload and retry), not 422 about a state it never saw.
   */
  async changeStatus(ctx: RequestContext, id: string, expectedVersion: number, change: MessageStatusChange): Promise<WithAgentKeys<Message>> {
    const { status: to } = change;
    const now = new Date();
    const reported = this.reportedTimestamps(change, now);
    const changed = await this.unitOfWork.run(ctx, async (tx) => {
      const before = await this.messages.findById(ctx.tenantId, id, tx.manager);
      if (!before) throw new MessageNotFoundError(id);
      if (before.version !== expectedVersion) throw new VersionConflictError('message', id, expectedVersion, before.version);
      assertTransition(MESSAGE_TRANSITIONS, 'message', id, before.status, to);
      const stamps = timestampsFor(to, now, reported);
      assertInOrder(before, stamps);
      const message = await this.messages.update(tx.manager, { tenantId: ctx.tenantId, id, expectedVersion }, { status: to, ...stamps, ...updatedBy(ctx) });
      tx.record({
        type: MessageEvents.statusChanged,
        aggregateType: 'message',
        aggregateId: id,
        aggregateVersion: message.version,
        payload: { messageId: id, from: before.status, to },
      });
      return message;
    });
    return this.withKeys(ctx, changed);
  }

  /** The instants the agent reported with a status change, each checked against the clock and against the status it comes with. */
  private reportedTimestamps(change: MessageStatusChange, now: Date): MessageTimestamps {
    const allowed = reportableTimestamps(change.status);
    const misplaced = (['receivedAt', 'processedAt'] as const).filter((field) => change[field] !== undefined && !allowed.includes(field));
    if (misplaced.length > 0) {
      throw new ValidationFailedError(
        misplaced.map((field) => ({ field, message: `${field} is taken only with status ${field === 'receivedAt' ? 'received' : 'processed or failed'}` })),
      );
    }
    return {
      receivedAt: reportedInstant('receivedAt', change.receivedAt, now),
      processedAt: reportedInstant('processedAt', change.processedAt, now),
    };
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

  /** The message or messages with the keys of the agents they name (one lookup for all; `known` spares asking again). */
  private withKeys<T extends Message | Page<Message>>(ctx: RequestContext, value: T, known?: AgentKeys): Promise<WithAgentKeys<T>> {
    const messages: Message[] = 'items' in value ? value.items : [value];
    return this.agents.withKeys(
      ctx,
      value,
      messages.flatMap((message) => [message.fromAgentId, message.toAgentId]),
      known,
    );
  }

  /**
   * The message with its agents and task as ids (an agent may be named by its key), and the
   * agents' keys; every reference the tenant cannot see is reported together, as a 422.
   */
  private async resolveReferences(
    ctx: RequestContext,
    input: CreateMessageDto,
    manager?: EntityManager,
  ): Promise<{ message: CreateMessageDto; agentKeys: AgentKeys }> {
    const agents = this.agents.references;
    const resolved = await checkItemReferences(
      ctx.tenantId,
      [input],
      singleItem,
      [
        ['fromAgentId', agents],
        ['toAgentId', agents],
        ['taskId', this.messages.taskReferences],
      ],
      manager,
    );
    const message = Object.assign({}, input, {
      fromAgentId: resolved.id(agents, input.fromAgentId)!,
      toAgentId: resolved.id(agents, input.toAgentId)!,
      taskId: resolved.id(this.messages.taskReferences, input.taskId),
    });
    return { message, agentKeys: this.agents.keysResolved(resolved) };
  }

  private newMessage(ctx: RequestContext, input: CreateMessageDto): NewRow<Message> {
    return newAuditedRow(ctx, {
      fromAgentId: input.fromAgentId,
      toAgentId: input.toAgentId,
      taskId: input.taskId ?? null,
      type: input.type,
      content: input.content,
      status: 'sent',
      sentAt: new Date(),
      receivedAt: null,
      processedAt: null,
    });
  }
}
