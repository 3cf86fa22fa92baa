import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsNotEmpty, IsNumber, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { MAX_BULK_ITEMS } from '../../dto/bulk';

export class CreateInsightDto {
  @ApiProperty({ example: 'Retries with jitter cut rate-limit errors', maxLength: 1000 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  summary: string;

  @ApiProperty({ example: 'reliability', maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  domain: string;

  @ApiProperty({ minimum: 0, maximum: 1, example: 0.8, description: 'How sure the insight is, from 0 to 1' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  confidence: number;

  @ApiProperty({ maxLength: 100000, example: 'Running the crawler with exponential backoff and jitter ...' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100000)
  content: string;
}

export class BulkCreateInsightsDto {
  @ApiProperty({ type: [CreateInsightDto], minItems: 1, maxItems: MAX_BULK_ITEMS })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BULK_ITEMS)
  @ValidateNested({ each: true })
  @Type(() => CreateInsightDto)
  items: CreateInsightDto[];
}
