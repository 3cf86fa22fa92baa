import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { PageQueryDto } from '../../../common/http/page-query.dto';
import { NAMESPACE, SCHEMA_IDENTITY } from '../persistence-handler';
import { SERVICE_CALL_STATUSES, ServiceCallStatus } from '../service-call-record.entity';

export class ListServiceCallsQuery extends PageQueryDto {
  @ApiPropertyOptional({ enum: SERVICE_CALL_STATUSES })
  @IsOptional()
  @IsIn(SERVICE_CALL_STATUSES)
  status?: ServiceCallStatus;

  @ApiPropertyOptional({ example: 'core' })
  @IsOptional()
  @IsString()
  @Matches(NAMESPACE, { message: 'namespace is not a valid namespace' })
  namespace?: string;

  @ApiPropertyOptional({ example: 'task.result@1' })
  @IsOptional()
  @IsString()
  @Matches(SCHEMA_IDENTITY, { message: 'schema must be a name and a version, e.g. task.result@1' })
  schema?: string;
}

export class ListDeadLettersQuery extends PageQueryDto {}
