import type { HeaderObject, OpenAPIObject, OperationObject, PathItemObject, ReferenceObject, ResponseObject, SchemaObject } from '@nestjs/swagger';

/** The response headers the API sends, declared once in `components.headers`. */
export const RESPONSE_HEADERS: Record<string, HeaderObject> = {
  ETag: {
    description: 'The version of the resource, quoted (`"3"`): send it back unchanged as `If-Match` to change or delete it',
    required: true,
    schema: { type: 'string', pattern: '^"\\d+"$', example: '"3"' },
  },
  Location: {
    description: 'The URL of the resource the request created (a path on this server)',
    required: true,
    schema: { type: 'string', format: 'uri-reference', example: '/api/v1/tasks/0190d5a4-7b8e-7c3a-9f1e-2b4c6d8e0a12' },
  },
  'X-RateLimit-Limit': { description: 'Requests allowed in the current window', schema: { type: 'integer', minimum: 0 } },
  'X-RateLimit-Remaining': { description: 'Requests left in the current window', schema: { type: 'integer', minimum: 0 } },
  'X-RateLimit-Reset': { description: 'Seconds until the current window ends', schema: { type: 'integer', minimum: 0 } },
};

/** A reference to one of RESPONSE_HEADERS. */
export const headerRef = (name: string): ReferenceObject => ({ $ref: `#/components/headers/${name}` });
const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;

function resolveSchema(document: OpenAPIObject, schema: SchemaObject | ReferenceObject | undefined): SchemaObject | undefined {
  if (!schema) return undefined;
  if ('$ref' in schema) return resolveSchema(document, document.components?.schemas?.[schema.$ref.split('/').pop()!]);
  return schema;
}

/** A single versioned resource (the server sends its `version` as ETag): its schema has an integer-like `version`. */
function isVersioned(document: OpenAPIObject, response: ResponseObject): boolean {
  const schema = resolveSchema(document, response.content?.['application/json']?.schema);
  return schema?.properties?.version !== undefined;
}

function addHeaders(response: ResponseObject, names: string[]): void {
  response.headers = { ...response.headers, ...Object.fromEntries(names.map((name) => [name, headerRef(name)])) };
}

/**
 * Declares the response headers of every operation, so that a typed client can read them:
 * `ETag` on each answer that is a single versioned resource (what `sendVersionAsETag` does at
 * run time) and the rate-limit headers on 429. (`Location` is declared by `CreatedResponse` with
 * the route that sends it, `Retry-After` by documentProblems with the codes that say when to come back.)
 */
export function declareResponseHeaders(document: OpenAPIObject): OpenAPIObject {
  document.components = { ...document.components, headers: { ...document.components?.headers, ...RESPONSE_HEADERS } };
  for (const path of Object.values<PathItemObject>(document.paths)) {
    for (const method of METHODS) {
      const operation: OperationObject | undefined = path[method];
      if (!operation) continue;
      for (const [status, response] of Object.entries(operation.responses) as [string, ResponseObject][]) {
        if ('$ref' in response) continue;
        if (status.startsWith('2') && isVersioned(document, response)) addHeaders(response, ['ETag']);
        if (status === '429') addHeaders(response, ['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset']);
      }
    }
  }
  return document;
}
