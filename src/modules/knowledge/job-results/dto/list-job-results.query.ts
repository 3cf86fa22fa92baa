import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../../../common/http/page-query.dto';

export class ListJobResultsQuery extends PageQueryDto {
  @ApiPropertyOptional({ maxLength: 200, description: 'Only results of this job' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  jobId?: string;
}
