import { AggregateNotFoundError, DomainError, ErrorCode } from '../../common/errors';

export class InsightNotFoundError extends AggregateNotFoundError {
  constructor(id: string) {
    super('insight', id);
  }
}

export class PatternNotFoundError extends AggregateNotFoundError {
  constructor(id: string) {
    super('pattern', id);
  }
}

export class PatternTriggerTakenError extends DomainError<ErrorCode.PatternTriggerTaken> {
  readonly code = ErrorCode.PatternTriggerTaken;

  constructor(triggers: string[]) {
    super(
      triggers.length === 1
        ? `a pattern with trigger "${triggers[0]}" already exists`
        : `a trigger repeats in the batch or names an existing pattern; the batch's triggers: ${triggers.map((t) => `"${t}"`).join(', ')}`,
      { triggers },
    );
  }
}
