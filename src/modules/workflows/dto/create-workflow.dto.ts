import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsObject, IsString, MaxLength } from 'class-validator';
import { IsOptionalNotNull, JsonAsSent } from '../../../common/http/validation';

export class CreateWorkflowDto {
  @ApiProperty({ example: 'Research and summarise the state of solid-state batteries', maxLength: 10_000 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(10_000)
  description: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { topic: 'solid-state batteries', depth: 'survey' } })
  @IsOptionalNotNull()
  @IsObject()
  @JsonAsSent()
  input?: Record<string, unknown>;
}
