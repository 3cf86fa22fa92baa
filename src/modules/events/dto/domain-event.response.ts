import { ApiProperty } from '@nestjs/swagger';

export class DomainEventResponse {
  @ApiProperty({
    description: "The event's position in your tenant's feed: an opaque cursor, usable as ?after= and as Last-Event-ID",
    example: 'q3Jt0v1e6bN8kQ2wX9cZyA4pL7mR5sTu',
  })
  id: string;

  @ApiProperty({ example: 'agent.registered' })
  type: string;

  @ApiProperty({ example: 'agent' })
  aggregateType: string;

  @ApiProperty({ format: 'uuid' })
  aggregateId: string;

  @ApiProperty({ type: 'integer', nullable: true, description: 'Version of the aggregate after the change' })
  aggregateVersion: number | null;

  @ApiProperty()
  tenantId: string;

  @ApiProperty({ description: "Who made the change, as labelled: X-Actor-Id, or the API key's name" })
  actorId: string;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The id of the API key that authenticated the change (null for the operator’s command line, AUTH=off, and events older than the field)',
  })
  keyId: string | null;

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

  @ApiProperty({
    description:
      'Pass as ?after= to continue: always set, also when the page is empty (then it is the cursor you gave, or the start of the feed). ' +
      'Events of transactions still running appear after it once they commit, never behind it.',
  })
  nextCursor: string;
}
