import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsNotEmpty, IsObject, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { IsAgentReference } from '../../agents/agent-key';
import { RunUpdateDto } from '../../../common/http/run-update.dto';
import { IsMilliseconds, IsOptionalNotNull, JsonAsSent, MAX_MILLISECONDS } from '../../../common/http/validation';
import { TASK_STATUSES, TaskStatus } from '../task.entity';
import { MAX_DESCRIPTION, MAX_PRIORITY, MIN_PRIORITY } from './create-task.dto';

export class UpdateTaskDto extends RunUpdateDto {
  @ApiPropertyOptional({
    enum: TASK_STATUSES,
    description:
      'pending → running | completed | failed | cancelled, running → completed | failed | cancelled | pending (retry); anything else is 422. ' +
      'Starting (running, or completed | failed straight from pending) is refused (409) while a task it depends on has not completed',
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

  @ApiPropertyOptional({ type: 'integer', minimum: MIN_PRIORITY, maximum: MAX_PRIORITY })
  @IsOptionalNotNull()
  @IsInt()
  @Min(MIN_PRIORITY)
  @Max(MAX_PRIORITY)
  priority?: number;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'An agent id or key. Assign to one of your agents, or null to unassign' })
  @IsOptional()
  @IsAgentReference()
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
    maximum: MAX_MILLISECONDS,
    example: 150.5,
    description: 'How long the work took, in ms (fractions kept); counted in the agent metrics when sent with completed or failed',
  })
  @IsOptional()
  @IsMilliseconds()
  durationMs?: number | null;
}
