import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsNumber, IsString, Max, MaxLength, Min } from 'class-validator';
import { MAX_BULK_ITEMS } from '../../dto/bulk';
import { BulkItems } from '../../../../common/http/collections';

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
  @BulkItems(CreateInsightDto, MAX_BULK_ITEMS)
  items: CreateInsightDto[];
}
