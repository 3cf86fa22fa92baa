import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { IsMilliseconds, JsonAsSent, MAX_MILLISECONDS } from '../../../../common/http/validation';

/** The result of `core/task.result@1`: how a task ended. */
export class TaskResultDto {
  @ApiProperty({ format: 'uuid', description: 'The task that ended (one of yours)' })
  @IsUUID()
  taskId: string;

  @ApiProperty({ enum: ['completed', 'failed'], description: 'How it ended: the task goes to this final state' })
  @IsIn(['completed', 'failed'])
  status: 'completed' | 'failed';

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'What it produced (the task output and the job result artifacts)' })
  @IsOptional()
  @IsObject()
  @JsonAsSent()
  output?: Record<string, unknown>;

  @ApiPropertyOptional({ maxLength: 10_000, description: 'Why it failed' })
  @IsOptional()
  @IsString()
  @MaxLength(10_000)
  error?: string;

  @ApiPropertyOptional({ type: Number, minimum: 0, maximum: MAX_MILLISECONDS, example: 150.5, description: 'How long the work took, in ms' })
  @IsOptional()
  @IsMilliseconds()
  durationMs?: number;
}
