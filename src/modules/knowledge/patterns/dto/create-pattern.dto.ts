import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { IsTextKey, TEXT_KEY_RULE } from '../../../../common/http/text-key';
import { JsonAsSent } from '../../../../common/http/validation';
import { MAX_BULK_ITEMS } from '../../dto/bulk';
import { BulkItems } from '../../../../common/http/collections';

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
  @BulkItems(CreatePatternDto, MAX_BULK_ITEMS)
  items: CreatePatternDto[];
}
