import { CreatePatternDto } from './dto/create-pattern.dto';
import { PatternsService } from './patterns.service';
import { PersistContext, PersistedObject, PersistenceHandler, PersistenceHandlerContract } from '../../outbox/persistence-handler';

/**
 * `knowledge/pattern@1`: a pattern a model applied (same shape as the body of POST /patterns).
 * The tenant's pattern with that trigger takes the steps and counts one use; a new trigger
 * creates the pattern with one use.
 */
@PersistenceHandler({ namespace: 'knowledge', schema: 'pattern@1', resultType: CreatePatternDto })
export class PatternHandler implements PersistenceHandlerContract<CreatePatternDto> {
  constructor(private readonly patterns: PatternsService) {}

  async persist(result: CreatePatternDto, ctx: PersistContext): Promise<PersistedObject> {
    const pattern = await this.patterns.recordUseIn(ctx.tx, result);
    return { type: 'pattern', id: pattern.id };
  }
}
