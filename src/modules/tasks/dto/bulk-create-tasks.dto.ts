import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsNotEmpty, IsString, IsUUID, MaxLength } from 'class-validator';
import { IsOptionalNotNull } from '../../../common/http/validation';
import { MAX_DEPENDENCIES, TaskFieldsDto } from './create-task.dto';
import { BulkItems } from '../../../common/http/collections';

export const MAX_BULK_TASKS = 1000;
const MAX_REF = 200;

export class BulkTaskItemDto extends TaskFieldsDto {
  @ApiProperty({ format: 'uuid', description: 'The workflow the task belongs to; one of your workflows' })
  @IsUUID()
  workflowId: string;

  @ApiPropertyOptional({
    maxLength: MAX_REF,
    example: 'collect',
    description: 'Your name for this item, unique in the request, so that other items can depend on it; echoed back',
  })
  @IsOptionalNotNull()
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_REF)
  ref?: string;

  @ApiPropertyOptional({
    type: [String],
    maxItems: MAX_DEPENDENCIES,
    example: ['collect'],
    description: 'Tasks that must complete first: the ref of another item of this request, or the id of an existing task of the same workflow',
  })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMaxSize(MAX_DEPENDENCIES)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(MAX_REF, { each: true })
  dependsOn?: string[];
}

export class BulkCreateTasksDto {
  @BulkItems(BulkTaskItemDto, MAX_BULK_TASKS)
  items: BulkTaskItemDto[];
}
