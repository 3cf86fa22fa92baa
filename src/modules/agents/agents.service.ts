import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { RequestContext } from '../../common/auth/request-context';
import { BadRequestError } from '../../common/errors';
import { NewDomainEvent } from '../../common/events/event-catalog';
import { Page, PageRequest } from '../../common/persistence/paginate';
import { BatchRow, insertEachIn, NewRow, Transaction, UnitOfWork } from '../../common/persistence/unit-of-work';
import { newAuditedFields } from '../../common/persistence/new-row';
import { Agent, AgentStatus } from './agent.entity';
import { AgentNotFoundError } from './agents.errors';
import { AgentEvents } from './agents.events';
import { AgentFilters, AgentsRepository } from './agents.repository';
import { CreateAgentDto } from './dto/create-agent.dto';
import { UpdateAgentDto } from './dto/update-agent.dto';

@Injectable()
export class AgentsService {
  constructor(
    private readonly agents: AgentsRepository,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  async register(ctx: RequestContext, input: CreateAgentDto): Promise<Agent> {
    const [agent] = await this.registerMany(ctx, [input]);
    return agent;
  }

  /** Registers every agent or none, with their `agent.registered` events, in one statement. */
  registerMany(ctx: RequestContext, inputs: CreateAgentDto[]): Promise<Agent[]> {
    return this.unitOfWork.insert(
      ctx,
      Agent,
      inputs.map((input) => this.newAgent(ctx, input)),
      (agent) => this.registeredEvent(agent),
    );
  }

  /** Registers an agent inside the caller's transaction (for persistence handlers and other modules). */
  async registerIn(tx: Transaction, input: CreateAgentDto): Promise<Agent> {
    const [agent] = await this.registerEachIn([{ tx, input }]);
    return agent;
  }

  /** Registers one agent per item in one statement of their shared transaction (for the outbox's batches). */
  registerEachIn(items: BatchRow<CreateAgentDto>[]): Promise<Agent[]> {
    return insertEachIn(Agent, items, (ctx, input) => this.newAgent(ctx, input), (agent) => this.registeredEvent(agent));
  }

  /** The tenant's agent; pass a transaction's manager to read inside that transaction. */
  async get(ctx: RequestContext, id: string, manager?: EntityManager): Promise<Agent> {
    const agent = await this.agents.findById(ctx.tenantId, id, manager);
    if (!agent) throw new AgentNotFoundError(id);
    return agent;
  }

  /** The subset of `ids` that name the tenant's agents: one query, for checking many references at once. */
  existingIds(ctx: RequestContext, ids: string[]): Promise<Set<string>> {
    return this.agents.existingIds(ctx.tenantId, ids);
  }

  list(ctx: RequestContext, filters: AgentFilters, page: PageRequest): Promise<Page<Agent>> {
    return this.agents.list(ctx.tenantId, filters, page);
  }

  /** Applies a change made against `expectedVersion`; a concurrent change in between is a conflict. */
  update(ctx: RequestContext, id: string, expectedVersion: number, input: UpdateAgentDto): Promise<Agent> {
    const { version: _ignored, ...changes } = input;
    const changed = Object.keys(changes).filter((key) => changes[key as keyof typeof changes] !== undefined);
    if (changed.length === 0) throw new BadRequestError('Send at least one field to change');
    return this.unitOfWork.run(ctx, async (tx) => {
      const before = await this.agents.findById(ctx.tenantId, id, tx.manager);
      if (!before) throw new AgentNotFoundError(id);
      const agent = await this.agents.update(tx.manager, { tenantId: ctx.tenantId, id, expectedVersion }, { ...changes, updatedBy: ctx.actorId });
      tx.record({
        type: AgentEvents.updated,
        aggregateType: 'agent',
        aggregateId: id,
        aggregateVersion: agent.version,
        payload: { agentId: id, changed },
      });
      this.recordStatusChange(tx, agent, before.status);
      return agent;
    });
  }

  heartbeat(ctx: RequestContext, id: string, status?: AgentStatus): Promise<Agent> {
    return this.unitOfWork.run(ctx, async (tx) => {
      const result = await this.agents.heartbeat(tx.manager, { tenantId: ctx.tenantId, id }, status, ctx.actorId);
      if (!result) throw new AgentNotFoundError(id);
      this.recordStatusChange(tx, result.agent, result.previousStatus);
      return result.agent;
    });
  }

  /** Deletes the agent; guarded by its version when the caller sent one. */
  async remove(ctx: RequestContext, id: string, expectedVersion?: number): Promise<void> {
    await this.unitOfWork.run(ctx, async (tx) => {
      const version = await this.agents.delete(tx.manager, { tenantId: ctx.tenantId, id, expectedVersion });
      tx.record({ type: AgentEvents.deleted, aggregateType: 'agent', aggregateId: id, aggregateVersion: version, payload: { agentId: id } });
    });
  }

  private recordStatusChange(tx: Transaction, agent: Agent, from: AgentStatus): void {
    if (agent.status === from) return;
    tx.record({
      type: AgentEvents.statusChanged,
      aggregateType: 'agent',
      aggregateId: agent.id,
      aggregateVersion: agent.version,
      payload: { agentId: agent.id, from, to: agent.status },
    });
  }

  private registeredEvent(agent: NewRow<Agent>): NewDomainEvent<'agent.registered'> {
    return {
      type: AgentEvents.registered,
      aggregateType: 'agent',
      aggregateId: agent.id,
      aggregateVersion: 1,
      payload: { agentId: agent.id, name: agent.name, role: agent.role, status: agent.status },
    };
  }

  private newAgent(ctx: RequestContext, input: CreateAgentDto): NewRow<Agent> {
    return {
      ...newAuditedFields(ctx),
      name: input.name,
      role: input.role,
      description: input.description ?? null,
      status: input.status ?? 'idle',
      metadata: input.metadata ?? {},
      lastHeartbeatAt: null,
    };
  }
}
