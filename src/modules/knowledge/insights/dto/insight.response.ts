import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AuditedResponse, auditedFields } from '../../../../common/http/audited.response';
import { Insight } from '../insight.entity';
import { InsightMatch } from '../insights.repository';
import { MatchWithContent } from '../search-content';
import { PageOf, BulkOf } from '../../../../common/http/collections';

/** What every answer about an insight carries, its content aside. */
abstract class InsightFields extends AuditedResponse {
  @ApiProperty()
  summary: string;

  @ApiProperty()
  domain: string;

  @ApiProperty({ minimum: 0, maximum: 1 })
  confidence: number;
}

function insightFields(insight: Omit<Insight, 'content'>): InsightFields {
  return Object.assign(auditedFields(insight), { summary: insight.summary, domain: insight.domain, confidence: insight.confidence });
}

export class InsightResponse extends InsightFields {
  @ApiProperty()
  content: string;

  static from(insight: Insight): InsightResponse {
    return Object.assign(insightFields(insight), { content: insight.content });
  }
}

export class InsightMatchResponse extends InsightFields {
  @ApiProperty({ description: 'ts_rank of the match: higher is better' })
  rank: number;

  @ApiProperty({
    description: 'Passages of the summary and the first 10,000 characters of the content, with the matching words as <b>…</b>',
    example: 'agents <b>run</b> …',
  })
  highlight: string;

  @ApiProperty({ type: 'integer', description: 'Size of the whole content in UTF-8 bytes (GET /insights/{id} answers it)' })
  contentBytes: number;

  @ApiPropertyOptional({
    description: 'With includeContent=true only: the content, whole or (contentTruncated) its start, as the answer’s budget allowed',
  })
  content?: string;

  @ApiPropertyOptional({ description: 'With includeContent=true only: true when content is not the whole content' })
  contentTruncated?: boolean;

  static fromMatch(match: InsightMatch | MatchWithContent): InsightMatchResponse {
    const response: InsightMatchResponse = Object.assign(insightFields(match.insight), {
      rank: match.rank,
      highlight: match.highlight,
      contentBytes: match.contentBytes,
    });
    if ('contentTruncated' in match) Object.assign(response, { content: match.content, contentTruncated: match.contentTruncated });
    return response;
  }
}

export class InsightPage extends PageOf(InsightResponse) {}

export class InsightList extends BulkOf(InsightResponse) {}

export class InsightMatchList {
  @ApiProperty({ type: [InsightMatchResponse], description: 'Best match first' })
  items: InsightMatchResponse[];
}
