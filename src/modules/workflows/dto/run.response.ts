import { ApiProperty } from '@nestjs/swagger';
import { AuditedResponse, auditedFields } from '../../../common/http/audited.response';
import { RunEntity } from '../run.entity';

/** The response members of RunEntity: shared by workflows and tasks. */
export abstract class RunResponse extends AuditedResponse {
  @ApiProperty({ type: 'object', additionalProperties: true })
  input: Record<string, unknown>;

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  output: Record<string, unknown> | null;

  @ApiProperty({ type: String, nullable: true })
  error: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Set by the transition to running (a task retry clears it)' })
  startedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Set by the transition to a final state' })
  finishedAt: string | null;
}

export function runFields(run: RunEntity): RunResponse {
  return Object.assign(auditedFields(run), {
    input: run.input,
    output: run.output,
    error: run.error,
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
  });
}
