import { AggregateNotFoundError, DomainError, ErrorCode, FieldError, UnprocessableError } from '../../common/errors';
import { TaskStatus } from './task.entity';

export class TaskNotFoundError extends AggregateNotFoundError {
  constructor(id: string) {
    super('task', id);
  }
}

/** The task cannot start while a task it depends on has not completed: 409 naming them in `blockedBy`. */
export class TaskBlockedError extends DomainError<ErrorCode.TaskBlocked> {
  readonly code = ErrorCode.TaskBlocked;

  constructor(id: string, blockedBy: string[]) {
    super(`task ${id} cannot start before the tasks it depends on have completed: ${blockedBy.join(', ')}`, { blockedBy });
  }
}

/** Dependencies that would make tasks wait for each other forever: 422 with the cycle, in order, in `cycle`. */
export class TaskDependencyCycleError extends UnprocessableError {
  constructor(cycle: string[]) {
    super(
      cycle.length === 2 ? `${cycle[0]} cannot depend on itself` : `these dependencies would close a cycle (each depends on the next): ${cycle.join(' → ')}`,
      { cycle },
    );
  }
}

/** A dependency on a task of another workflow: 422 naming the fields. */
export class DependencyOutsideWorkflowError extends UnprocessableError {
  constructor(readonly errors: FieldError[]) {
    super(errors.length === 1 ? errors[0].message : errors.map((error) => error.message).join('; '), { errors });
  }
}

/** Dependencies are added only to a pending task: once it has started they no longer gate anything. */
export class TaskNotPendingError extends UnprocessableError {
  constructor(id: string, status: TaskStatus) {
    super(`task ${id} is ${status}: dependencies can be added only while it is pending`, { currentStatus: status });
  }
}

/** The problem of a field that names a task the tenant cannot see. */
export function missingTask(field: string, id: string): FieldError {
  return { field, message: `${field}: ${id} does not name an existing task` };
}

/** The problem of a dependency (`field`, as sent: `name`) on a task of another workflow. */
export function otherWorkflow(field: string, name: string): FieldError {
  return { field, message: `${field}: ${name} is a task of another workflow; a task may depend only on tasks of its own workflow` };
}
