import { CreateInsightDto } from '../../../modules/knowledge/insights/dto/create-insight.dto';
import { Insight } from '../../../modules/knowledge/insights/insight.entity';
import { LegacyRow } from '../legacy-row';
import { LegacyMapper } from './legacy-mapper';

export class InsightMapper extends LegacyMapper<CreateInsightDto> {
  readonly type = 'insight';
  readonly entity = Insight;
  readonly dto = CreateInsightDto;
  readonly fields = ['summary', 'domain', 'confidence', 'content', 'createdAt', 'updatedAt'];

  protected values(body: CreateInsightDto, row: LegacyRow): Record<string, unknown> {
    return {
      summary: body.summary,
      domain: body.domain,
      confidence: body.confidence,
      content: body.content,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  }
}
