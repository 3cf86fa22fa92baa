import { CreateInsightDto } from './dto/create-insight.dto';
import { InsightsService } from './insights.service';
import { PersistContext, PersistedObject, PersistenceHandler, PersistenceHandlerContract, PersistItem } from '../../outbox/persistence-handler';

/** `knowledge/insight@1`: an insight drawn by a model (same shape as the body of POST /insights). */
@PersistenceHandler({ namespace: 'knowledge', schema: 'insight@1', resultType: CreateInsightDto })
export class InsightHandler implements PersistenceHandlerContract<CreateInsightDto> {
  constructor(private readonly insights: InsightsService) {}

  async persist(result: CreateInsightDto, ctx: PersistContext): Promise<PersistedObject> {
    const insight = await this.insights.recordIn(ctx.tx, result);
    return { type: 'insight', id: insight.id };
  }

  /** A batch's insights in one INSERT. */
  async persistMany(items: PersistItem<CreateInsightDto>[]): Promise<PersistedObject[]> {
    const insights = await this.insights.recordEachIn(items.map(({ result, ctx }) => ({ tx: ctx.tx, input: result })));
    return insights.map((insight) => ({ type: 'insight', id: insight.id }));
  }
}
