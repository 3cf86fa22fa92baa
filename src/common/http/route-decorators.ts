import { applyDecorators, Controller, Delete, HttpCode, HttpStatus, Patch, Type } from '@nestjs/common';
import { ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiOperationOptions, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '../errors';
import { ApiProblems } from './api-problems.decorator';
import { API_KEY_SECURITY } from './openapi/security-schemes';

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
 * A controller of tenant resources: its path, its tag and API-key security. The answers every such
 * route can give (400, 401, 429, 503) are documented for all of them by documentSharedProblems.
 */
export function ApiController(path: string | undefined, tag: string): ClassDecorator {
  return applyDecorators(ApiTags(tag), ApiSecurity(API_KEY_SECURITY), path === undefined ? Controller() : Controller(path));
}

/**
 * A compare-and-set update: `If-Match` (or `version` in the body) required; 404, 409 VERSION_CONFLICT
 * and 428 documented, with the other codes the route can answer (`problems`).
 */
export function VersionedPatch(path: string, operation: ApiOperationOptions, response: Type<unknown>, ...problems: ErrorCode[]): MethodDecorator {
  return applyDecorators(
    Patch(path),
    ApiOperation(operation),
    ApiHeader(IF_MATCH),
    ApiOkResponse({ type: response }),
    ApiProblems(ErrorCode.NotFound, ErrorCode.VersionConflict, ErrorCode.PreconditionRequired, ...problems),
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
    ApiProblems(ErrorCode.NotFound, ErrorCode.VersionConflict),
  );
}
