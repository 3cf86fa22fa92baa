import { ApiProperty } from '@nestjs/swagger';

/** What every versioned aggregate carries: identity, version, who made and last changed it, when. */
export interface Audited {
  id: string;
  version: number;
  createdBy: string;
  updatedBy: string;
  createdAt: Date;
  updatedAt: Date;
}

/** The response members shared by every versioned aggregate. */
export abstract class AuditedResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ type: 'integer', description: 'Send it back as If-Match: "<version>" to update', example: 1 })
  version: number;

  @ApiProperty({ description: 'Actor that created it' })
  createdBy: string;

  @ApiProperty({ description: 'Actor of the last change' })
  updatedBy: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export function auditedFields(row: Audited): AuditedResponse {
  return {
    id: row.id,
    version: row.version,
    createdBy: row.createdBy,
    updatedBy: row.updatedBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
