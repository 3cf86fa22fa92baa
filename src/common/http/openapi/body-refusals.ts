import type { OpenAPIObject } from '@nestjs/swagger';
import { ErrorCode } from '../../errors';
import { addProblems, operationsOf } from './problems';

/** Documents 413 and 415 on every operation that takes a body: the parser refuses them before any handler. */
export function documentBodyRefusals(document: OpenAPIObject): OpenAPIObject {
  for (const operation of operationsOf(document)) {
    if (operation.requestBody) addProblems(operation, [ErrorCode.PayloadTooLarge, ErrorCode.UnsupportedMediaType]);
  }
  return document;
}
