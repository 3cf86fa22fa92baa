import { ApiProperty } from '@nestjs/swagger';
import { AuditedResponse, auditedFields } from '../../../../common/http/audited.response';
import { Insight } from '../insight.entity';
import { InsightMatch } from '../insights.repository';
import { PageOf, BulkOf } from '../../../../common/http/collections';

export class InsightResponse extends AuditedResponse {
  @ApiProperty()
  summary: string;

  @ApiProperty()
  domain: string;

  @ApiProperty({ minimum: 0, maximum: 1 })
  confidence: number;

  @ApiProperty()
  content: string;

  static from(insight: Insight): InsightResponse {
    return {
      ...auditedFields(insight),
      summary: insight.summary,
      domain: insight.domain,
      confidence: insight.confidence,
      content: insight.content,
    };
  }
}

export class InsightMatchResponse extends InsightResponse {
  @ApiProperty({ description: 'ts_rank of the match: higher is better' })
  rank: number;

  @ApiProperty({ description: 'Passages of summary and content with the matching words as <b>…</b>', example: 'agents <b>run</b> …' })
  highlight: string;

  static fromMatch(match: InsightMatch): InsightMatchResponse {
    return { ...InsightResponse.from(match.insight), rank: match.rank, highlight: match.highlight };
  }
}

export class InsightPage extends PageOf(InsightResponse) {}

export class InsightList extends BulkOf(InsightResponse) {}

export class InsightMatchList {
  @ApiProperty({ type: [InsightMatchResponse], description: 'Best match first' })
  items: InsightMatchResponse[];
}
