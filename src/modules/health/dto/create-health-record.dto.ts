import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsAgentReference } from '../../agents/agent-key';
import { IsMilliseconds, JsonAsSent, MAX_MILLISECONDS } from '../../../common/http/validation';
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

  @ApiPropertyOptional({ minimum: 0, maximum: MAX_MILLISECONDS, example: 120.5, description: 'Response time of the check, in milliseconds (fractions kept)' })
  @IsOptional()
  @IsMilliseconds()
  responseTimeMs?: number;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'An agent id or key. The agent the observation is about; one of your agents' })
  @IsOptional()
  @IsAgentReference()
  agentId?: string | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { region: 'eu-west-1', errors: 3 } })
  @IsOptional()
  @IsObject()
  @JsonAsSent()
  details?: Record<string, unknown>;
}
