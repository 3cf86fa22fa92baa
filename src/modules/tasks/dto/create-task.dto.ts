import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsInt, IsNotEmpty, IsObject, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { IsAgentReference } from '../../agents/agent-key';
import { IsOptionalNotNull, JsonAsSent } from '../../../common/http/validation';

/** Dependencies one task may name in one request. */
export const MAX_DEPENDENCIES = 1000;
/** Priorities are PostgreSQL integers. */
export const MIN_PRIORITY = -2_147_483_648;
export const MAX_PRIORITY = 2_147_483_647;
export const MAX_DESCRIPTION = 10_000;

/** The fields every way of creating a task shares. */
export class TaskFieldsDto {
  @ApiPropertyOptional({ type: String, nullable: true, description: 'An agent id or key. The agent assigned to the task; one of your agents' })
  @IsOptional()
  @IsAgentReference()
  agentId?: string | null;

  @ApiProperty({ example: 'Collect five recent sources on solid-state batteries', maxLength: MAX_DESCRIPTION })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_DESCRIPTION)
  description: string;

  @ApiPropertyOptional({
    type: 'integer',
    default: 0,
    minimum: MIN_PRIORITY,
    maximum: MAX_PRIORITY,
    description: 'Higher means more urgent, in your own scale',
  })
  @IsOptionalNotNull()
  @IsInt()
  @Min(MIN_PRIORITY)
  @Max(MAX_PRIORITY)
  priority?: number;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { query: 'solid-state battery 2026', limit: 5 } })
  @IsOptionalNotNull()
  @IsObject()
  @JsonAsSent()
  input?: Record<string, unknown>;
}

/** `POST /tasks/:id/subtasks`: a task in the parent's workflow. */
export class CreateSubtaskDto extends TaskFieldsDto {
  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    maxItems: MAX_DEPENDENCIES,
    description: 'Ids of tasks of the same workflow that must complete before this one may start',
  })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMaxSize(MAX_DEPENDENCIES)
  @IsUUID(undefined, { each: true })
  dependsOn?: string[];
}

export class CreateTaskDto extends CreateSubtaskDto {
  @ApiProperty({ format: 'uuid', description: 'The workflow the task belongs to; one of your workflows' })
  @IsUUID()
  workflowId: string;
}
