import { ApiProperty } from '@nestjs/swagger';

export class DomainEventResponse {
  @ApiProperty({ description: 'Position in the event log', example: '42' })
  id: string;

  @ApiProperty({ example: 'agent.registered' })
  type: string;

  @ApiProperty({ example: 'agent' })
  aggregateType: string;

  @ApiProperty({ format: 'uuid' })
  aggregateId: string;

  @ApiProperty({ type: Number, nullable: true, description: 'Version of the aggregate after the change' })
  aggregateVersion: number | null;

  @ApiProperty()
  tenantId: string;

  @ApiProperty({ description: 'Who made the change' })
  actorId: string;

  @ApiProperty({ type: String, nullable: true })
  correlationId: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true })
  payload: Record<string, unknown>;

  @ApiProperty({ format: 'date-time' })
  occurredAt: string;
}

export class DomainEventPage {
  @ApiProperty({ type: [DomainEventResponse] })
  items: DomainEventResponse[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as ?after= for the next page; null on the last page' })
  nextCursor: string | null;
}
