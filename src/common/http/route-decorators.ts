import { applyDecorators, Controller, Delete, HttpCode, HttpStatus, Patch, Type } from '@nestjs/common';
import { ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiOperationOptions, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from './api-problems.decorator';

/** The `If-Match` request header of versioned writes, as the OpenAPI document describes it. */
export const IF_MATCH = {
  name: 'If-Match',
  description:
    'The ETag you read, exactly as sent, quotes included: `If-Match: "3"` (not `3`). A write needs it or `version` in the body ' +
    '(428 without either); a version other than the current one is 409 VERSION_CONFLICT.',
  required: false,
  schema: { type: 'string', pattern: '^"\\d+"$', example: '"3"' },
};

/**
 * A controller of tenant resources: its path, its tag, API-key security and the answers every
 * route can give (rate limits are on by default: 429; a handler over its time limit: 503).
 */
export function ApiController(path: string | undefined, tag: string): ClassDecorator {
  return applyDecorators(
    ApiTags(tag),
    ApiSecurity('api-key'),
    ApiProblems(HttpStatus.BAD_REQUEST, HttpStatus.UNAUTHORIZED, HttpStatus.TOO_MANY_REQUESTS, HttpStatus.SERVICE_UNAVAILABLE),
    path === undefined ? Controller() : Controller(path),
  );
}

/** A compare-and-set update: `If-Match` (or `version` in the body) required; 404, 409, 422 (not allowed now) and 428 documented. */
export function VersionedPatch(path: string, operation: ApiOperationOptions, response: Type<unknown>): MethodDecorator {
  return applyDecorators(
    Patch(path),
    ApiOperation(operation),
    ApiHeader(IF_MATCH),
    ApiOkResponse({ type: response }),
    ApiProblems(HttpStatus.NOT_FOUND, HttpStatus.CONFLICT, HttpStatus.UNPROCESSABLE_ENTITY, HttpStatus.PRECONDITION_REQUIRED),
  );
}

/** A delete answered 204, guarded by `If-Match` when the caller sends one. */
export function VersionedDelete(path: string, operation: ApiOperationOptions): MethodDecorator {
  return applyDecorators(
    Delete(path),
    HttpCode(HttpStatus.NO_CONTENT),
    ApiOperation(operation),
    ApiHeader(IF_MATCH),
    ApiNoContentResponse(),
    ApiProblems(HttpStatus.NOT_FOUND, HttpStatus.CONFLICT),
  );
}
