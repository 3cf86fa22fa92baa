import { AggregateNotFoundError, DomainError, ErrorCode } from '../../common/errors';
import type { ImportKey } from './integrated-objects.repository';

export class IntegratedObjectNotFoundError extends AggregateNotFoundError {
  constructor(id: string) {
    super('integrated object', id);
  }
}

/** A re-import lost every compare-and-set race against concurrent writers of the same object. */
export class ImportContendedError extends DomainError<ErrorCode.ImportContended> {
  readonly code = ErrorCode.ImportContended;

  constructor({ platform, companyId, originalId }: ImportKey) {
    const where = companyId === null ? platform : `${platform} (company ${companyId})`;
    super(`integrated object ${where}/${originalId} kept changing during the import: retry it`, { platform, companyId, originalId });
  }
}
