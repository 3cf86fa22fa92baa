import { ApiProperty } from '@nestjs/swagger';

/** What every versioned aggregate carries: identity, version, who made and last changed it, when. */
export interface Audited {
  id: string;
  version: number;
  createdBy: string;
  createdByKeyId: string | null;
  updatedBy: string;
  updatedByKeyId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A response member naming the API key (its id) that authenticated a change; `what` completes "The API key that …". */
export function ApiKeyIdProperty(what: string): PropertyDecorator {
  return ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: `The id of the API key that ${what} (null for the operator's command line, AUTH=off, and rows older than the field)`,
  });
}

/** The response members shared by every versioned aggregate. */
export abstract class AuditedResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ type: 'integer', description: 'Send it back as If-Match: "<version>" to update', example: 1 })
  version: number;

  @ApiProperty({ description: "Actor that created it, as labelled (X-Actor-Id or the API key's name)" })
  createdBy: string;

  @ApiKeyIdProperty('created it')
  createdByKeyId: string | null;

  @ApiProperty({ description: 'Actor of the last change, as labelled' })
  updatedBy: string;

  @ApiKeyIdProperty('made the last change')
  updatedByKeyId: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

/** The audit fields of a response; a response adds its own with `Object.assign(auditedFields(row), { … })` (see newAuditedRow for why not a spread). */
export function auditedFields(row: Audited): AuditedResponse {
  return {
    id: row.id,
    version: row.version,
    createdBy: row.createdBy,
    createdByKeyId: row.createdByKeyId,
    updatedBy: row.updatedBy,
    updatedByKeyId: row.updatedByKeyId,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
