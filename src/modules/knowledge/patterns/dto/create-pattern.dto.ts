import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsNotEmpty, IsString, MaxLength, ValidateNested } from 'class-validator';
import { IsTextKey, TEXT_KEY_RULE } from '../../../../common/http/text-key';
import { JsonAsSent } from '../../../../common/http/validation';
import { MAX_BULK_ITEMS } from '../../dto/bulk';

export class CreatePatternDto {
  @ApiProperty({ example: 'user asks for a market summary', maxLength: 500, description: `Unique within the tenant, ${TEXT_KEY_RULE}` })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  @IsTextKey()
  trigger: string;

  @ApiProperty({
    type: 'array',
    items: {},
    maxItems: 1000,
    example: [{ tool: 'search' }, { tool: 'summarize' }],
    description: 'The steps, any JSON values, in order',
  })
  @IsArray()
  @ArrayMaxSize(1000)
  @JsonAsSent()
  steps: unknown[];
}

export class BulkCreatePatternsDto {
  @ApiProperty({ type: [CreatePatternDto], minItems: 1, maxItems: MAX_BULK_ITEMS })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BULK_ITEMS)
  @ValidateNested({ each: true })
  @Type(() => CreatePatternDto)
  items: CreatePatternDto[];
}
