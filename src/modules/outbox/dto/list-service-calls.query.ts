import { ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { PageQueryDto } from '../../../common/http/page-query.dto';
import { NAMESPACE, SCHEMA_IDENTITY } from '../persistence-handler';
import { SERVICE_CALL_STATUSES, ServiceCallStatus } from '../service-call-record.entity';

/** Which results by what they are, (namespace, schema): a filter of the tenant's list and of the admin dead letters. */
export class ServiceCallKindFilterDto {
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

export class ListServiceCallsQuery extends IntersectionType(PageQueryDto, ServiceCallKindFilterDto) {
  @ApiPropertyOptional({ enum: SERVICE_CALL_STATUSES })
  @IsOptional()
  @IsIn(SERVICE_CALL_STATUSES)
  status?: ServiceCallStatus;
}

export class ListDeadLettersQuery extends PageQueryDto {}
