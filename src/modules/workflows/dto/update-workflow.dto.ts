import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import { RunUpdateDto } from '../../../common/http/run-update.dto';
import { IsOptionalNotNull, JsonAsSent } from '../../../common/http/validation';
import { WORKFLOW_STATUSES, WorkflowStatus } from '../workflow.entity';

export class UpdateWorkflowDto extends RunUpdateDto {
  @ApiPropertyOptional({
    enum: WORKFLOW_STATUSES,
    description: 'pending → running | completed | failed | cancelled, running → completed | failed | cancelled; anything else is 422',
  })
  @IsOptionalNotNull()
  @IsIn(WORKFLOW_STATUSES)
  status?: WorkflowStatus;

  @ApiPropertyOptional({ maxLength: 10_000 })
  @IsOptionalNotNull()
  @IsString()
  @IsNotEmpty()
  @MaxLength(10_000)
  description?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true, description: 'The result, usually sent with status completed' })
  @IsOptional()
  @IsObject()
  @JsonAsSent()
  output?: Record<string, unknown> | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 10_000, description: 'Why it failed, usually sent with status failed' })
  @IsOptional()
  @IsString()
  @MaxLength(10_000)
  error?: string | null;
}
