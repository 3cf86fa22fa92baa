import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { MAX_VERSION } from './expected-version.decorator';

/** Body of an update: `version` stands in for If-Match when the header is not sent. */
export class VersionedUpdateDto {
  @ApiPropertyOptional({ description: 'The version you read; used when no If-Match header is sent', minimum: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_VERSION)
  version?: number;
}
