import { ApiProperty } from '@nestjs/swagger';
import { SERVICE_CALL_STATUSES, ServiceCallRecord, ServiceCallStatus } from '../service-call-record.entity';
import { PageOf } from '../../../common/http/collections';

export class DomainObjectRef {
  @ApiProperty({ example: 'message' })
  type: string;

  @ApiProperty({ format: 'uuid' })
  id: string;
}

export class ServiceCallResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  callId: string;

  @ApiProperty()
  namespace: string;

  @ApiProperty({ example: 'task.result@1' })
  schema: string;

  @ApiProperty({ enum: SERVICE_CALL_STATUSES })
  status: ServiceCallStatus;

  @ApiProperty({ type: 'integer', description: 'Processing attempts so far' })
  attempts: number;

  @ApiProperty({ type: String, nullable: true })
  lastError: string | null;

  @ApiProperty({ type: String, format: 'date-time', description: 'Not before this time is it tried again' })
  nextAttemptAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  persistedAt: string | null;

  @ApiProperty({ type: [DomainObjectRef], description: 'What the result became (empty until persisted)' })
  domainObjects: DomainObjectRef[];

  @ApiProperty({ type: String, nullable: true })
  correlationId: string | null;

  @ApiProperty({ type: 'integer' })
  priority: number;

  @ApiProperty({ type: 'object', additionalProperties: true })
  result: unknown;

  @ApiProperty({ type: 'integer' })
  version: number;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  static from(record: ServiceCallRecord, domainObjects: DomainObjectRef[] = []): ServiceCallResponse {
    return {
      id: record.id,
      callId: record.callId,
      namespace: record.namespace,
      schema: record.schemaIdentity,
      status: record.status,
      attempts: record.attempts,
      lastError: record.lastError,
      nextAttemptAt: record.nextAttemptAt.toISOString(),
      persistedAt: record.persistedAt?.toISOString() ?? null,
      domainObjects,
      correlationId: record.correlationId,
      priority: record.priority,
      result: record.result,
      version: record.version,
      createdAt: record.createdAt.toISOString(),
      updatedAt: record.updatedAt.toISOString(),
    };
  }
}

export class ServiceCallPage extends PageOf(ServiceCallResponse) {}
