import { Inject, Injectable } from '@nestjs/common';
import { appConfig, AppConfig } from '../../../config/app.config';
import { RequestContext } from '../../../common/auth/request-context';
import { NewDomainEvent } from '../../../common/events/event-catalog';
import { Page, PageRequest } from '../../../common/persistence/paginate';
import { BatchRow, NewRow, Transaction, UnitOfWork } from '../../../common/persistence/unit-of-work';
import { newAuditedRow, updatedBy } from '../../../common/persistence/new-row';
import { changedFields } from '../../../common/http/versioned-update.dto';
import { CreateInsightDto } from './dto/create-insight.dto';
import { UpdateInsightDto } from './dto/update-insight.dto';
import { Insight } from './insight.entity';
import { InsightMatch, InsightsRepository } from './insights.repository';
import { contentWithin, MatchWithContent } from './search-content';
import { InsightNotFoundError } from '../knowledge.errors';
import { KnowledgeEvents } from '../knowledge.events';

@Injectable()
export class InsightsService {
  constructor(
    private readonly insights: InsightsRepository,
    private readonly unitOfWork: UnitOfWork,
    @Inject(appConfig.KEY) private readonly app: Pick<AppConfig, 'searchContentLimitBytes'>,
  ) {}

  async record(ctx: RequestContext, input: CreateInsightDto): Promise<Insight> {
    const [insight] = await this.recordMany(ctx, [input]);
    return insight;
  }

  /** Records every insight or none, with their `insight.recorded` events, in one statement. */
  recordMany(ctx: RequestContext, inputs: CreateInsightDto[]): Promise<Insight[]> {
    return this.unitOfWork.insert(
      ctx,
      Insight,
      inputs.map((input) => this.newInsight(ctx, input)),
      (insight) => this.recordedEvent(insight),
    );
  }

  /** Records an insight inside the caller's transaction (for persistence handlers). */
  async recordIn(tx: Transaction, input: CreateInsightDto): Promise<Insight> {
    const [insight] = await this.recordEachIn([{ tx, input }]);
    return insight;
  }

  /** Records one insight per item in one statement of their shared transaction (for the outbox's batches). */
  recordEachIn(items: BatchRow<CreateInsightDto>[]): Promise<Insight[]> {
    return this.unitOfWork.insertEachIn(
      Insight,
      items,
      (ctx, input) => this.newInsight(ctx, input),
      (insight) => this.recordedEvent(insight),
    );
  }

  async get(ctx: RequestContext, id: string): Promise<Insight> {
    const insight = await this.insights.findById(ctx.tenantId, id);
    if (!insight) throw new InsightNotFoundError(id);
    return insight;
  }

  /** Applies a change made against `expectedVersion` (compare-and-set), recording `insight.updated`. */
  update(ctx: RequestContext, id: string, expectedVersion: number, input: UpdateInsightDto): Promise<Insight> {
    const changes = changedFields(input);
    return this.unitOfWork.run(ctx, async (tx) => {
      const insight = await this.insights.update(tx.manager, { tenantId: ctx.tenantId, id, expectedVersion }, { ...changes, ...updatedBy(ctx) });
      tx.record({
        type: KnowledgeEvents.insightUpdated,
        aggregateType: 'insight',
        aggregateId: id,
        aggregateVersion: insight.version,
        payload: { insightId: id, changed: Object.keys(changes) },
      });
      return insight;
    });
  }

  /** Deletes the insight (guarded by its version when the caller sent one), recording `insight.deleted`. */
  async remove(ctx: RequestContext, id: string, expectedVersion?: number): Promise<void> {
    await this.unitOfWork.run(ctx, async (tx) => {
      const version = await this.insights.delete(tx.manager, { tenantId: ctx.tenantId, id, expectedVersion });
      tx.record({ type: KnowledgeEvents.insightDeleted, aggregateType: 'insight', aggregateId: id, aggregateVersion: version, payload: { insightId: id } });
    });
  }

  list(ctx: RequestContext, filters: { domain?: string }, page: PageRequest): Promise<Page<Insight>> {
    return this.insights.list(ctx.tenantId, filters, page);
  }

  /**
   * The best matches with their highlights; their content only with `includeContent`, and then at
   * most SEARCH_CONTENT_LIMIT_BYTES of it for the whole answer (see contentWithin).
   */
  async search(
    ctx: RequestContext,
    text: string,
    options: { domain?: string; limit: number; includeContent?: boolean },
  ): Promise<InsightMatch[] | MatchWithContent[]> {
    const budget = options.includeContent ? this.app.searchContentLimitBytes : 0;
    const matches = await this.insights.search(ctx.tenantId, text, { domain: options.domain, limit: options.limit, contentBudget: budget });
    return options.includeContent ? contentWithin(matches, budget) : matches;
  }

  private recordedEvent(insight: NewRow<Insight>): NewDomainEvent<'insight.recorded'> {
    return {
      type: KnowledgeEvents.insightRecorded,
      aggregateType: 'insight',
      aggregateId: insight.id,
      aggregateVersion: 1,
      payload: { insightId: insight.id, domain: insight.domain, confidence: insight.confidence },
    };
  }

  private newInsight(ctx: RequestContext, input: CreateInsightDto): NewRow<Insight> {
    return newAuditedRow(ctx, {
      summary: input.summary,
      domain: input.domain,
      confidence: input.confidence,
      content: input.content,
    });
  }
}
