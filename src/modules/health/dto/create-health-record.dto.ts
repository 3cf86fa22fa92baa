import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsNotEmpty, IsObject, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { JsonAsSent } from '../../../common/http/validation';
import { HEALTH_STATUSES, HealthStatus } from '../health-record.entity';

export class CreateHealthRecordDto {
  @ApiProperty({ example: 'vector-store', maxLength: 200, description: 'What was observed: a component, a dependency, an agent' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  component: string;

  @ApiProperty({ enum: HEALTH_STATUSES })
  @IsIn(HEALTH_STATUSES)
  status: HealthStatus;

  @ApiPropertyOptional({ maxLength: 2000, example: 'p99 latency above 2 s' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  message?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: 2_147_483_647, example: 120, description: 'Response time of the check, in milliseconds' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2_147_483_647)
  responseTimeMs?: number;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'The agent the observation is about; one of your agents' })
  @IsOptional()
  @IsUUID()
  agentId?: string | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { region: 'eu-west-1', errors: 3 } })
  @IsOptional()
  @IsObject()
  @JsonAsSent()
  details?: Record<string, unknown>;
}
