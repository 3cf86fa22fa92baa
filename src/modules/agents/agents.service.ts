import { Injectable } from '@nestjs/common';
import { isDeepStrictEqual } from 'node:util';
import { EntityManager } from 'typeorm';
import { RequestContext } from '../../common/auth/request-context';
import { BadRequestError, ValidationFailedError, VersionConflictError } from '../../common/errors';
import { NewDomainEvent } from '../../common/events/event-catalog';
import { ReferenceKind, ResolvedReferences } from '../../common/persistence/references';
import { isUniqueViolation } from '../../common/persistence/unique-violation';
import { Page, PageRequest } from '../../common/persistence/paginate';
import { BatchRow, NewRow, Transaction, UnitOfWork } from '../../common/persistence/unit-of-work';
import { AgentKeys, WithAgentKeys } from './agent-keys';
import { newAuditedRow, updatedBy } from '../../common/persistence/new-row';
import { Agent, AGENT_KEY_INDEX, AgentStatus } from './agent.entity';
import { AgentKeyTakenError, AgentNotFoundError } from './agents.errors';
import { AgentEvents } from './agents.events';
import { AgentFilters, AgentsRepository } from './agents.repository';
import { CreateAgentDto, RegisterAgentByKeyDto } from './dto/create-agent.dto';
import { UpdateAgentDto } from './dto/update-agent.dto';

/** The fields a registration by key compares with the stored agent: a repeat that changes none of them changes nothing. */
const REGISTERED_FIELDS = ['name', 'role', 'description', 'status', 'metadata'] as const;

@Injectable()
export class AgentsService {
  /** References to agents in bodies: an agent's id or its key (see ReferenceCheck). */
  readonly references: ReferenceKind;

  constructor(
    private readonly agents: AgentsRepository,
    private readonly unitOfWork: UnitOfWork,
  ) {
    this.references = { noun: 'agent', resolve: (tenantId, names, manager) => this.agents.resolve(tenantId, names, manager) };
  }

  async register(ctx: RequestContext, input: CreateAgentDto): Promise<Agent> {
    const [agent] = await this.registerMany(ctx, [input]);
    return agent;
  }

  /** Registers every agent or none, with their `agent.registered` events, in one statement. */
  async registerMany(ctx: RequestContext, inputs: CreateAgentDto[]): Promise<Agent[]> {
    try {
      return await this.unitOfWork.insert(
        ctx,
        Agent,
        inputs.map((input) => this.newAgent(ctx, input)),
        (agent) => this.registeredEvent(agent),
      );
    } catch (error) {
      throw isUniqueViolation(error, AGENT_KEY_INDEX) ? new AgentKeyTakenError(inputs.flatMap((input) => (input.key ? [input.key] : []))) : error;
    }
  }

  /**
   * Registers the agent with this key, or brings the registered one up to date: one idempotent
   * call for an agent process that (re)starts. A repeat that changes nothing keeps the version and
   * records no event; fields left out keep their value. With `expectedVersion` (If-Match) a
   * concurrent change is a conflict. Two first registrations at once: one inserts, the other
   * finds its row and updates it.
   */
  async registerByKey(ctx: RequestContext, key: string, input: RegisterAgentByKeyDto, expectedVersion?: number): Promise<{ agent: Agent; created: boolean }> {
    const attempt = () =>
      this.unitOfWork.run(ctx, async (tx) => {
        const before = await this.agents.lockByKey(tx.manager, ctx.tenantId, key);
        if (!before) {
          if (expectedVersion !== undefined) throw new AgentNotFoundError(key);
          const { name, role } = input;
          if (name === undefined || role === undefined) {
            const missing = (['name', 'role'] as const).filter((field) => input[field] === undefined);
            throw new ValidationFailedError(missing.map((field) => ({ field, message: `${field} is needed to register a new agent` })));
          }
          return { agent: await this.registerIn(tx, { ...input, name, role, key }), created: true };
        }
        if (expectedVersion !== undefined && before.version !== expectedVersion) {
          throw new VersionConflictError('agent', before.id, expectedVersion, before.version);
        }
        const changes = Object.fromEntries(
          REGISTERED_FIELDS.filter((field) => input[field] !== undefined && !isDeepStrictEqual(input[field] ?? null, before[field])).map((field) => [
            field,
            input[field] ?? null,
          ]),
        );
        if (Object.keys(changes).length === 0) return { agent: before, created: false };
        return { agent: await this.applyUpdate(tx, before, changes), created: false };
      });
    try {
      return await attempt();
    } catch (error) {
      if (!isUniqueViolation(error, AGENT_KEY_INDEX)) throw error;
      return attempt();
    }
  }

  /**
   * Locks the named agents (FOR KEY SHARE, in id order) for the rest of `tx`, before the caller
   * writes rows that reference them: the first lock of every such write path, so a concurrent
   * deletion of the agent (which locks it first too) waits or is waited for, never deadlocks.
   */
  async holdForWrite(tx: Transaction, ids: (string | null)[]): Promise<void> {
    await this.agents.lockForReference(
      tx.manager,
      tx.context.tenantId,
      ids.filter((id): id is string => id !== null),
    );
  }

  /** The tenant's agent with this key. */
  async getByKey(ctx: RequestContext, key: string): Promise<Agent> {
    const agent = await this.agents.findByKey(ctx.tenantId, key);
    if (!agent) throw new AgentNotFoundError(key);
    return agent;
  }

  /** The id of the tenant's agent named by `reference` (its id or its key); null when it names none. */
  async resolveOne(ctx: RequestContext, reference: string): Promise<string | null> {
    return (await this.agents.resolve(ctx.tenantId, [reference])).get(reference)?.id ?? null;
  }

  /** The keys of the agents a request's references resolved to: what a write answers with, at no extra query. */
  keysResolved(resolved: ResolvedReferences): AgentKeys {
    return new AgentKeys(resolved.keys(this.references));
  }

  /**
   * The keys of the agents `ids` name, for an answer: one query for those `known` does not
   * already hold, none when it holds them all (or there are none).
   */
  async keysFor(ctx: RequestContext, ids: (string | null)[], known: AgentKeys = AgentKeys.none): Promise<AgentKeys> {
    const missing = ids.filter((id): id is string => id !== null && !known.knows(id));
    if (missing.length === 0) return known;
    return known.with(await this.agents.keysOf(ctx.tenantId, missing));
  }

  /** `value` with the keys of the agents `ids` name (see keysFor). */
  async withKeys<T>(ctx: RequestContext, value: T, ids: (string | null)[], known?: AgentKeys): Promise<WithAgentKeys<T>> {
    return { value, agentKeys: await this.keysFor(ctx, ids, known) };
  }

  /** A page of rows that each name at most one agent (`agentId`), with those agents' keys: one lookup for the page. */
  pageWithKeys<T extends { agentId: string | null }>(ctx: RequestContext, page: Page<T>): Promise<WithAgentKeys<Page<T>>> {
    return this.withKeys(
      ctx,
      page,
      page.items.map((row) => row.agentId),
    );
  }

  /** How many of the tenant's agents are in each status. */
  countByStatus(ctx: RequestContext): Promise<Record<string, number>> {
    return this.agents.countByStatus(ctx.tenantId);
  }

  /** Registers an agent inside the caller's transaction (for persistence handlers and other modules). */
  async registerIn(tx: Transaction, input: CreateAgentDto): Promise<Agent> {
    const [agent] = await this.registerEachIn([{ tx, input }]);
    return agent;
  }

  /** Registers one agent per item in one statement of their shared transaction (for the outbox's batches). */
  registerEachIn(items: BatchRow<CreateAgentDto>[]): Promise<Agent[]> {
    return this.unitOfWork.insertEachIn(
      Agent,
      items,
      (ctx, input) => this.newAgent(ctx, input),
      (agent) => this.registeredEvent(agent),
    );
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
    return this.unitOfWork
      .run(ctx, async (tx) => {
        const before = await this.agents.findById(ctx.tenantId, id, tx.manager);
        if (!before) throw new AgentNotFoundError(id);
        return this.applyUpdate(tx, before, changes, expectedVersion);
      })
      .catch((error: unknown) => {
        throw isUniqueViolation(error, AGENT_KEY_INDEX) && changes.key ? new AgentKeyTakenError([changes.key]) : error;
      });
  }

  /** One compare-and-set of `changes` on the agent, with `agent.updated` and, when the status moved, `agent.status_changed`. */
  private async applyUpdate(tx: Transaction, before: Agent, changes: Partial<Agent>, expectedVersion = before.version): Promise<Agent> {
    const agent = await this.agents.update(
      tx.manager,
      { tenantId: tx.context.tenantId, id: before.id, expectedVersion },
      { ...changes, ...updatedBy(tx.context) },
    );
    tx.record({
      type: AgentEvents.updated,
      aggregateType: 'agent',
      aggregateId: agent.id,
      aggregateVersion: agent.version,
      payload: { agentId: agent.id, changed: Object.keys(changes) },
    });
    this.recordStatusChange(tx, agent, before.status);
    return agent;
  }

  heartbeat(ctx: RequestContext, id: string, status?: AgentStatus): Promise<Agent> {
    return this.unitOfWork.run(ctx, async (tx) => {
      const result = await this.agents.heartbeat(tx.manager, { tenantId: ctx.tenantId, id }, status, updatedBy(ctx));
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
      payload: { agentId: agent.id, key: agent.key, name: agent.name, role: agent.role, status: agent.status },
    };
  }

  private newAgent(ctx: RequestContext, input: CreateAgentDto): NewRow<Agent> {
    return newAuditedRow(ctx, {
      key: input.key ?? null,
      name: input.name,
      role: input.role,
      description: input.description ?? null,
      status: input.status ?? 'idle',
      metadata: input.metadata ?? {},
      lastHeartbeatAt: null,
    });
  }
}
