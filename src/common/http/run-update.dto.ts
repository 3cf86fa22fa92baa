import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { reportedInstant } from '../domain/reported-time';
import { RunStatus } from '../domain/run-lifecycle';
import { BadRequestError } from '../errors';
import { IsIsoTimestamp } from './iso-timestamp';
import { definedFields, VersionedUpdateDto } from './versioned-update.dto';

/** Body of a PATCH of a run (a workflow or a task): `startedAt` goes with the status change that starts it. */
export class RunUpdateDto extends VersionedUpdateDto {
  @ApiPropertyOptional({
    example: '2026-01-31T12:00:00.250Z',
    description:
      'When the work started, as the caller saw it; taken only by a transition that starts the run (to running, or pending → ' +
      'completed | failed in one step), which otherwise stamps the time of the request. Not in the future.',
  })
  @IsOptional()
  @IsIsoTimestamp()
  startedAt?: string;
}

/**
 * Reads the body of a PATCH of a run: the status it asks for, when it says the work started (one
 * in the future is a 400), and the other fields it sent. A body with none of them is a 400.
 */
export function readRunUpdate<S extends RunStatus, T extends RunUpdateDto & { status?: S }>(
  body: T,
  now = new Date(),
): { status?: S; startedAt?: Date; changes: Partial<Omit<T, 'version' | 'status' | 'startedAt'>> } {
  const { version: _version, status, startedAt: reported, ...rest } = body;
  const startedAt = reportedInstant('startedAt', reported, now);
  const changes = definedFields(rest);
  // A start time alone is a change too, refused by the lifecycle rules (it goes with the status change that starts the run).
  if (status === undefined && startedAt === undefined && Object.keys(changes).length === 0) throw new BadRequestError('Send at least one field to change');
  return { status, startedAt, changes };
}
