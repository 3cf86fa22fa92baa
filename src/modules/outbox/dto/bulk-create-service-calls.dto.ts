import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, ValidateNested } from 'class-validator';
import { CreateServiceCallDto } from './create-service-call.dto';

/** The most results one `POST /service-calls/bulk` takes, stored in one statement. */
export const MAX_BULK_SERVICE_CALLS = 1000;

export class BulkCreateServiceCallsDto {
  @ApiProperty({ type: [CreateServiceCallDto], minItems: 1, maxItems: MAX_BULK_SERVICE_CALLS })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BULK_SERVICE_CALLS)
  @ValidateNested({ each: true })
  @Type(() => CreateServiceCallDto)
  items: CreateServiceCallDto[];
}
