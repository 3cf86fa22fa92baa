import { ParseUUIDPipe } from '@nestjs/common';
import { ValidationFailedError } from '../errors';

/** `@Param('id', ParseIdPipe)`: a path id must be a uuid, or the answer is a 400 naming the field. */
export const ParseIdPipe = new ParseUUIDPipe({
  exceptionFactory: () => new ValidationFailedError([{ field: 'id', message: 'id must be a UUID' }]),
});
