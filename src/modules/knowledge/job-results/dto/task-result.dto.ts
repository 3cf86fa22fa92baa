import { IsIn, IsObject, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { IsMilliseconds, JsonAsSent } from '../../../../common/http/validation';

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
  @IsMilliseconds()
  durationMs?: number;
}
