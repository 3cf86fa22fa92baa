import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, ValidateNested } from 'class-validator';
import { CreateAgentDto } from './create-agent.dto';

export const MAX_BULK_AGENTS = 1000;

export class BulkCreateAgentsDto {
  @ApiProperty({ type: [CreateAgentDto], minItems: 1, maxItems: MAX_BULK_AGENTS })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BULK_AGENTS)
  @ValidateNested({ each: true })
  @Type(() => CreateAgentDto)
  items: CreateAgentDto[];
}
