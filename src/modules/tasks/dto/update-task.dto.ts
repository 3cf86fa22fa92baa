import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsNotEmpty, IsObject, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { VersionedUpdateDto } from '../../../common/http/versioned-update.dto';
import { IsOptionalNotNull, JsonAsSent } from '../../../common/http/validation';
import { TASK_STATUSES, TaskStatus } from '../task.entity';
import { MAX_DESCRIPTION, MAX_DURATION_MS, MAX_PRIORITY, MIN_PRIORITY } from './create-task.dto';

export class UpdateTaskDto extends VersionedUpdateDto {
  @ApiPropertyOptional({
    enum: TASK_STATUSES,
    description:
      'pending → running | cancelled, running → completed | failed | cancelled | pending (retry); anything else is 422. ' +
      'running is refused (409) while a task it depends on has not completed',
  })
  @IsOptionalNotNull()
  @IsIn(TASK_STATUSES)
  status?: TaskStatus;

  @ApiPropertyOptional({ maxLength: MAX_DESCRIPTION })
  @IsOptionalNotNull()
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_DESCRIPTION)
  description?: string;

  @ApiPropertyOptional({ minimum: MIN_PRIORITY, maximum: MAX_PRIORITY })
  @IsOptionalNotNull()
  @IsInt()
  @Min(MIN_PRIORITY)
  @Max(MAX_PRIORITY)
  priority?: number;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'Assign to one of your agents, or null to unassign' })
  @IsOptional()
  @IsUUID()
  agentId?: string | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true, description: 'The result, usually sent with status completed' })
  @IsOptional()
  @IsObject()
  @JsonAsSent()
  output?: Record<string, unknown> | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: MAX_DESCRIPTION, description: 'Why it failed, usually sent with status failed' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_DESCRIPTION)
  error?: string | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 0,
    maximum: MAX_DURATION_MS,
    description: 'How long the work took, in ms; counted in the agent metrics when sent with completed or failed',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_DURATION_MS)
  durationMs?: number | null;
}
