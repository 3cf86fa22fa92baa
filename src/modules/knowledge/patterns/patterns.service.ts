import { Injectable } from '@nestjs/common';
import { RequestContext } from '../../../common/auth/request-context';
import { NewDomainEvent } from '../../../common/events/event-catalog';
import { Page, PageRequest } from '../../../common/persistence/paginate';
import { NewRow, Transaction, UnitOfWork } from '../../../common/persistence/unit-of-work';
import { newAuditedRow, updatedBy } from '../../../common/persistence/new-row';
import { isUniqueViolation } from '../../../common/persistence/unique-violation';
import { uuidv7 } from '../../../common/persistence/uuid-v7';
import { changedFields } from '../../../common/http/versioned-update.dto';
import { CreatePatternDto } from './dto/create-pattern.dto';
import { UpdatePatternDto } from './dto/update-pattern.dto';
import { PatternNotFoundError, PatternTriggerTakenError } from '../knowledge.errors';
import { KnowledgeEvents } from '../knowledge.events';
import { Pattern } from './pattern.entity';
import { PatternsRepository } from './patterns.repository';

@Injectable()
export class PatternsService {
  constructor(
    private readonly patterns: PatternsRepository,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  async create(ctx: RequestContext, input: CreatePatternDto): Promise<Pattern> {
    const [pattern] = await this.createMany(ctx, [input]);
    return pattern;
  }

  /** Creates every pattern or none; a trigger the tenant already has (or one repeated in the batch) is a 409. */
  async createMany(ctx: RequestContext, inputs: CreatePatternDto[]): Promise<Pattern[]> {
    try {
      return await this.unitOfWork.insert(
        ctx,
        Pattern,
        inputs.map((input) => this.newPattern(ctx, input)),
        (pattern) => this.createdEvent(pattern),
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw new PatternTriggerTakenError([...new Set(inputs.map((input) => input.trigger))]);
      throw error;
    }
  }

  async get(ctx: RequestContext, id: string): Promise<Pattern> {
    const pattern = await this.patterns.findById(ctx.tenantId, id);
    if (!pattern) throw new PatternNotFoundError(id);
    return pattern;
  }

  list(ctx: RequestContext, page: PageRequest): Promise<Page<Pattern>> {
    return this.patterns.list(ctx.tenantId, page);
  }

  /**
   * Applies a change made against `expectedVersion` (compare-and-set), recording `pattern.updated`;
   * a trigger another pattern of the tenant has is a 409.
   */
  async update(ctx: RequestContext, id: string, expectedVersion: number, input: UpdatePatternDto): Promise<Pattern> {
    const changes = changedFields(input);
    try {
      return await this.unitOfWork.run(ctx, async (tx) => {
        const pattern = await this.patterns.update(tx.manager, { tenantId: ctx.tenantId, id, expectedVersion }, { ...changes, ...updatedBy(ctx) });
        tx.record({
          type: KnowledgeEvents.patternUpdated,
          aggregateType: 'pattern',
          aggregateId: id,
          aggregateVersion: pattern.version,
          payload: { patternId: id, trigger: pattern.trigger, changed: Object.keys(changes) },
        });
        return pattern;
      });
    } catch (error) {
      if (isUniqueViolation(error) && changes.trigger !== undefined) throw new PatternTriggerTakenError([changes.trigger]);
      throw error;
    }
  }

  /** Deletes the pattern (guarded by its version when the caller sent one), recording `pattern.deleted`. */
  async remove(ctx: RequestContext, id: string, expectedVersion?: number): Promise<void> {
    await this.unitOfWork.run(ctx, async (tx) => {
      const pattern = await this.patterns.findById(ctx.tenantId, id, tx.manager);
      const version = await this.patterns.delete(tx.manager, { tenantId: ctx.tenantId, id, expectedVersion });
      tx.record({
        type: KnowledgeEvents.patternDeleted,
        aggregateType: 'pattern',
        aggregateId: id,
        aggregateVersion: version,
        payload: { patternId: id, trigger: pattern!.trigger },
      });
    });
  }

  mostUsed(ctx: RequestContext, limit: number): Promise<Pattern[]> {
    return this.patterns.mostUsed(ctx.tenantId, limit);
  }

  /** Counts one use of the pattern, atomically (concurrent uses all count). */
  use(ctx: RequestContext, id: string): Promise<Pattern> {
    return this.unitOfWork.run(ctx, async (tx) => {
      const pattern = await this.patterns.incrementUsage(tx.manager, { tenantId: ctx.tenantId, id });
      if (!pattern) throw new PatternNotFoundError(id);
      tx.record(this.usedEvent(pattern));
      return pattern;
    });
  }

  /**
   * In the caller's transaction: the tenant's pattern with this trigger takes the steps and counts
   * one use, or is created with one use.
   */
  async recordUseIn(tx: Transaction, input: CreatePatternDto): Promise<Pattern> {
    const { pattern, created } = await this.patterns.upsertUsed(tx.manager, {
      id: uuidv7(),
      tenantId: tx.context.tenantId,
      trigger: input.trigger,
      steps: input.steps,
      author: updatedBy(tx.context),
    });
    if (created) tx.record(this.createdEvent(pattern));
    tx.record(this.usedEvent(pattern));
    return pattern;
  }

  private createdEvent(pattern: NewRow<Pattern>): NewDomainEvent<'pattern.created'> {
    return {
      type: KnowledgeEvents.patternCreated,
      aggregateType: 'pattern',
      aggregateId: pattern.id,
      aggregateVersion: 1,
      payload: { patternId: pattern.id, trigger: pattern.trigger },
    };
  }

  private usedEvent(pattern: Pattern): NewDomainEvent<'pattern.used'> {
    return {
      type: KnowledgeEvents.patternUsed,
      aggregateType: 'pattern',
      aggregateId: pattern.id,
      aggregateVersion: pattern.version,
      payload: { patternId: pattern.id, trigger: pattern.trigger, usageCount: pattern.usageCount },
    };
  }

  private newPattern(ctx: RequestContext, input: CreatePatternDto): NewRow<Pattern> {
    return newAuditedRow(ctx, {
      trigger: input.trigger,
      steps: input.steps,
      usageCount: 0,
    });
  }
}
