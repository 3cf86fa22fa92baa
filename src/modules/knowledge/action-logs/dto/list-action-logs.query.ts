import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../../../common/http/page-query.dto';

export class ListActionLogsQuery extends PageQueryDto {
  @ApiPropertyOptional({ maxLength: 200, description: 'Only actions of this type (exact match)' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  actionType?: string;

  @ApiPropertyOptional({ maxLength: 200, description: 'Only actions of this trace' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  traceId?: string;
}
