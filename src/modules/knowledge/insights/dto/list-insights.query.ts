import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
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
}
