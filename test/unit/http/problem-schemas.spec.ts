import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { RunFinishedError, StartedAtWithoutStartError } from '../../../src/common/domain/run-lifecycle';
import { IllegalTransitionError } from '../../../src/common/domain/transitions';
import {
  codeForStatus,
  ContentionError,
  DomainError,
  ErrorCode,
  RateLimitedError,
  UnknownReferenceError,
  ValidationFailedError,
  VersionConflictError,
} from '../../../src/common/errors';
import { ProblemDetailsFilter } from '../../../src/common/errors/problem-details.filter';
import { problemExample, problemSchemaName, problemSchemas } from '../../../src/common/http/openapi/problems';
import { RequestTimeoutError } from '../../../src/common/http/request-deadline';
import { IdempotencyKeyInUseError, IdempotencyKeyReusedError } from '../../../src/common/persistence/idempotency.errors';
import { AgentKeyTakenError } from '../../../src/modules/agents/agents.errors';
import { TooManyStreamsError } from '../../../src/modules/events/events.errors';
import { ImportContendedError } from '../../../src/modules/integrations/integrations.errors';
import { PatternTriggerTakenError } from '../../../src/modules/knowledge/knowledge.errors';
import { CallIdConflictError, NothingToRedriveError } from '../../../src/modules/outbox/outbox.errors';
import { ServiceCallRecord } from '../../../src/modules/outbox/service-call-record.entity';
import { TaskBlockedError, TaskDependencyCycleError, TaskNotPendingError } from '../../../src/modules/tasks/tasks.errors';

const TASK = '0190d5a4-7b8e-7c3a-9f1e-2b4c6d8e0a12';
const OTHER = '0190d5a4-7b8e-7c3a-9f1e-2b4c6d8e0a34';

/** The schema of each code, compiled as the document publishes it. */
function validatorOf(code: ErrorCode) {
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  ajv.addSchema({ $id: 'doc', components: { schemas: problemSchemas() } });
  return ajv.compile({ $ref: `doc#/components/schemas/${problemSchemaName(code)}` });
}

function expectDocumented(error: DomainError): void {
  const problem = new ProblemDetailsFilter().toProblem(error, { instance: '/api/v1/tasks', correlationId: 'c-1' });
  const validate = validatorOf(error.code);
  expect(validate(problem), `${error.name}: ${JSON.stringify(validate.errors)}`).toBe(true);
}

describe('the problem schema of each error code', () => {
  it.each(Object.values(ErrorCode))('%s: its example matches its schema, with the status of the code', (code) => {
    const example = problemExample(code);
    const validate = validatorOf(code);
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    // The schema pins the code: another code's example does not pass for this one.
    const other = code === ErrorCode.NotFound ? ErrorCode.BadRequest : ErrorCode.NotFound;
    expect(validate(problemExample(other))).toBe(false);
  });

  it('describes the bodies the domain errors really produce', () => {
    const record = Object.assign(new ServiceCallRecord(), { id: TASK, callId: 'run-1', schemaIdentity: 'task.result@1' });
    for (const error of [
      new ValidationFailedError([{ field: 'name', message: 'name must be a string' }]),
      new VersionConflictError('task', TASK, 1, 3),
      new TaskBlockedError(TASK, [OTHER]),
      new AgentKeyTakenError(['agent_sena']),
      new PatternTriggerTakenError(['summarize', 'plan']),
      new NothingToRedriveError(TASK, 'persisted'),
      new ImportContendedError({ tenantId: 't-1', platform: 'zendesk', companyId: null, originalId: '48213' }),
      CallIdConflictError.withRecord(record, 'result'),
      CallIdConflictError.withinRequest('run-1', 'task.result@1', 0, 2, 'namespace'),
      new IdempotencyKeyInUseError(2),
      new IdempotencyKeyReusedError({ method: 'POST', path: '/api/v1/agents' }),
      new UnknownReferenceError([{ field: 'agentId', message: 'agentId does not name an existing agent' }]),
      new IllegalTransitionError('task', TASK, 'completed', 'running', []),
      new TaskDependencyCycleError([TASK, OTHER, TASK]),
      new RunFinishedError('task', TASK, 'completed'),
      new TaskNotPendingError(TASK, 'running'),
      new StartedAtWithoutStartError('task', TASK),
      new TooManyStreamsError(5),
      new RateLimitedError(100, 60_000, 7),
      new ContentionError(4),
      new RequestTimeoutError(30_000),
    ]) {
      expectDocumented(error);
    }
  });

  it('answers a bare framework status with the generic code of that status', () => {
    expect(codeForStatus(400)).toBe(ErrorCode.BadRequest);
    expect(codeForStatus(409)).toBe(ErrorCode.Conflict);
    expect(codeForStatus(422)).toBe(ErrorCode.Unprocessable);
    expect(codeForStatus(503)).toBe(ErrorCode.ServiceUnavailable);
    expect(codeForStatus(418)).toBe(ErrorCode.BadRequest);
  });
});
