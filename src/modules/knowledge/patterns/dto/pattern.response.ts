import { ApiProperty } from '@nestjs/swagger';
import { AuditedResponse, auditedFields } from '../../../../common/http/audited.response';
import { Pattern } from '../pattern.entity';

export class PatternResponse extends AuditedResponse {
  @ApiProperty()
  trigger: string;

  @ApiProperty({ type: 'array', items: {} })
  steps: unknown[];

  @ApiProperty({ description: 'How often the pattern was used' })
  usageCount: number;

  static from(pattern: Pattern): PatternResponse {
    return { ...auditedFields(pattern), trigger: pattern.trigger, steps: pattern.steps, usageCount: pattern.usageCount };
  }
}

export class PatternPage {
  @ApiProperty({ type: [PatternResponse] })
  items: PatternResponse[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as ?cursor= for the next page; null on the last page' })
  nextCursor: string | null;
}

export class PatternList {
  @ApiProperty({ type: [PatternResponse] })
  items: PatternResponse[];
}
