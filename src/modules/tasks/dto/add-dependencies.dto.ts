import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsUUID } from 'class-validator';
import { MAX_DEPENDENCIES } from './create-task.dto';

export class AddDependenciesDto {
  @ApiProperty({
    type: [String],
    format: 'uuid',
    minItems: 1,
    maxItems: MAX_DEPENDENCIES,
    description: 'Ids of tasks of the same workflow that must complete before this one may start',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_DEPENDENCIES)
  @IsUUID(undefined, { each: true })
  dependsOn: string[];
}
