import { ApiProperty } from '@nestjs/swagger';
import { AuditedResponse, auditedFields } from '../../../../common/http/audited.response';
import { Pattern } from '../pattern.entity';
import { PageOf, BulkOf } from '../../../../common/http/collections';

export class PatternResponse extends AuditedResponse {
  @ApiProperty()
  trigger: string;

  @ApiProperty({ type: 'array', items: {} })
  steps: unknown[];

  @ApiProperty({ type: 'integer', description: 'How often the pattern was used' })
  usageCount: number;

  static from(pattern: Pattern): PatternResponse {
    return Object.assign(auditedFields(pattern), { trigger: pattern.trigger, steps: pattern.steps, usageCount: pattern.usageCount });
  }
}

export class PatternPage extends PageOf(PatternResponse) {}

export class PatternList extends BulkOf(PatternResponse) {}
