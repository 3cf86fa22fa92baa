import { AggregateNotFoundError, ConflictError } from '../../common/errors';

export class IntegratedObjectNotFoundError extends AggregateNotFoundError {
  constructor(id: string) {
    super('integrated object', id);
  }
}

/** A re-import lost every compare-and-set race against concurrent writers of the same object. */
export class ImportContendedError extends ConflictError {
  constructor(platform: string, originalId: string) {
    super(`integrated object ${platform}/${originalId} kept changing during the import: retry it`, { platform, originalId });
  }
}
