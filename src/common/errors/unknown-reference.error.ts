import { FieldError, UnprocessableError } from './domain-error';

/**
 * Body fields that name rows the caller cannot see (422, with the fields in `errors`). A row
 * that does not exist and a row of another tenant get the same answer, which leaks nothing.
 */
export class UnknownReferenceError extends UnprocessableError {
  constructor(readonly errors: FieldError[]) {
    super(errors.length === 1 ? errors[0].message : errors.map((error) => error.message).join('; '), { errors });
  }
}

/** The field error for a body field naming a row the caller cannot see: "agentId does not name an existing agent". */
export function unknownReference(field: string, noun: string): FieldError {
  return { field, message: `${field} does not name an existing ${noun}` };
}
