import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { LimitQueryDto, PageQueryDto } from '../../../../common/http/page-query.dto';

export class ListInsightsQuery extends PageQueryDto {
  @ApiPropertyOptional({ maxLength: 200, description: 'Only insights of this domain' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  domain?: string;
}

export class SearchInsightsQuery extends LimitQueryDto {
  @ApiProperty({
    maxLength: 500,
    example: 'retry "rate limit" -cache',
    description: 'Words to find in summary and content, stemmed (running finds run); quoted phrases, or, and -word work as in a web search box',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  q: string;

  @ApiPropertyOptional({ maxLength: 200, description: 'Only insights of this domain' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  domain?: string;

  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description:
      'Also answer each match’s content: whole while the answer’s SEARCH_CONTENT_LIMIT_BYTES (1 MiB) lasts, in rank order; past it cut, with contentTruncated',
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'includeContent must be true or false' })
  includeContent?: boolean;
}
