import { IsIn, IsInt, IsObject, IsOptional, IsString, IsUUID, MaxLength, Min } from 'class-validator';
import { JsonAsSent } from '../../../../common/http/validation';

/** The result of `core/task.result@1`: how a task ended. */
export class TaskResultDto {
  @IsUUID()
  taskId: string;

  @IsIn(['completed', 'failed'])
  status: 'completed' | 'failed';

  @IsOptional()
  @IsObject()
  @JsonAsSent()
  output?: Record<string, unknown>;

  @IsOptional()
  @IsString()
  @MaxLength(10_000)
  error?: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  durationMs?: number;
}
