import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsNumber, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsIsoTimestamp } from '../../../common/http/iso-timestamp';
import { JsonAsSent } from '../../../common/http/validation';

export class CreateSystemMetricDto {
  @ApiProperty({ example: 'queue.depth', maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @ApiProperty({ example: 42.5, description: 'A finite number' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  value: number;

  @ApiPropertyOptional({ example: 'jobs', maxLength: 50 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(50)
  unit?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { queue: 'persistence', host: 'worker-2' } })
  @IsOptional()
  @IsObject()
  @JsonAsSent()
  tags?: Record<string, unknown>;

  @ApiPropertyOptional({
    example: '2026-01-31T12:00:00Z',
    description: 'When the value was observed: a date (midnight UTC) or a date-time with a time zone; now when left out',
  })
  @IsOptional()
  @IsIsoTimestamp()
  recordedAt?: string;
}
