import { ApiProperty, ApiPropertyOptions } from '@nestjs/swagger';
import { BulkOf } from '../../../common/http/collections';
import { ServiceCallRecord } from '../service-call-record.entity';
import { IntakeOutcome, INTAKE_OUTCOMES, IntakeVerdict } from '../intake-verdict';
import { ServiceCallResponse } from './service-call.response';

export class ResultProblem {
  @ApiProperty({ example: 'result.taskId', description: 'The field of the result (relative to the item)' })
  field: string;

  @ApiProperty({ example: 'taskId must be a UUID' })
  message: string;
}

/** What the intake concluded about a result: the same three members on the single and the bulk route. */
const OUTCOME: ApiPropertyOptions = {
  enum: INTAKE_OUTCOMES,
  enumName: 'IntakeOutcome',
  description:
    '`accepted`: stored, to be persisted. `dead_lettered`: stored, but it does not match its handler schema (see `problems`): ' +
    'it is not persisted unless redriven. `duplicate`: this (callId, schema) was accepted earlier with the same result; the record is that first one.',
};
const HANDLER: ApiPropertyOptions = {
  type: String,
  nullable: true,
  example: 'core/task.result@1',
  description: 'The handler that takes the result; null when none is registered for its (namespace, schema): it will be skipped',
};
const PROBLEMS: ApiPropertyOptions = {
  type: [ResultProblem],
  description: 'Why the result does not match its handler schema; non-empty exactly when the outcome is dead_lettered',
};

/** The answer of `POST /service-calls`: the record, and what the intake concluded. */
export class ServiceCallIntakeResponse extends ServiceCallResponse {
  @ApiProperty(OUTCOME)
  outcome: IntakeOutcome;

  @ApiProperty(HANDLER)
  handler: string | null;

  @ApiProperty(PROBLEMS)
  problems: ResultProblem[];

  static fromIntake(record: ServiceCallRecord, verdict: IntakeVerdict, outcome: IntakeOutcome): ServiceCallIntakeResponse {
    return Object.assign(ServiceCallResponse.from(record), { outcome, handler: verdict.handler, problems: verdict.problems });
  }
}

/** One entry of the bulk answer, in the order of the request's items. */
export class BulkIntakeEntry {
  @ApiProperty(OUTCOME)
  outcome: IntakeOutcome;

  @ApiProperty(HANDLER)
  handler: string | null;

  @ApiProperty(PROBLEMS)
  problems: ResultProblem[];

  @ApiProperty({ type: ServiceCallResponse, description: 'The stored record (for a duplicate: the first one)' })
  record: ServiceCallResponse;

  static from(record: ServiceCallRecord, verdict: IntakeVerdict, outcome: IntakeOutcome): BulkIntakeEntry {
    return { outcome, handler: verdict.handler, problems: verdict.problems, record: ServiceCallResponse.from(record) };
  }
}

export class BulkIntakeResponse extends BulkOf(BulkIntakeEntry) {}
