import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { BadRequestError } from '../errors';
import { MAX_VERSION } from './expected-version.decorator';

/** Body of an update: `version` stands in for If-Match when the header is not sent. */
export class VersionedUpdateDto {
  @ApiPropertyOptional({ type: 'integer', description: 'The version you read; used when no If-Match header is sent', minimum: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_VERSION)
  version?: number;
}

/**
 * The fields an update body actually sent, without its `version`; none is a 400. (`null` counts
 * as sent: it clears a nullable field, and the validators refuse it where the column cannot hold it.)
 */
export function changedFields<T extends VersionedUpdateDto>(body: T): Partial<Omit<T, 'version'>> {
  const { version: _version, ...rest } = body;
  const changes = definedFields(rest);
  if (Object.keys(changes).length === 0) throw new BadRequestError('Send at least one field to change');
  return changes;
}

/** The fields a body actually sent (`null` included: it clears a nullable field). */
export function definedFields<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}
