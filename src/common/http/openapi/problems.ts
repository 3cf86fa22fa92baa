import type { HeaderObject, OpenAPIObject, OperationObject, PathItemObject, ReferenceObject, ResponseObject, SchemaObject } from '@nestjs/swagger';
import { buildProblem, ErrorCode, ERROR_STATUS, PROBLEM_CATALOG, ProblemDefinition, ProblemDetails, problemDefinition } from '../../errors';
import { API_KEY_SECURITY } from './security-schemes';

/**
 * Error answers in the OpenAPI document, derived from the problem catalog: a schema per code
 * (`TaskBlockedProblem`: allOf the base `Problem`, plus its members, `code` and `status` fixed),
 * and on each operation, per status, the codes it can answer (oneOf their schemas), an example
 * per code and a description. Routes name codes (`@ApiProblems(ErrorCode.TaskBlocked)`); the
 * passes here add what every route shares and render the rest.
 */

export const PROBLEM_MEDIA_TYPE = 'application/problem+json';
const BASE_SCHEMA = 'Problem';
const CODE_SCHEMA = 'ErrorCode';
const SCHEMAS = '#/components/schemas/';
const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;

const pascalCase = (code: string) =>
  code
    .toLowerCase()
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');

/** `TASK_BLOCKED` → `TaskBlockedProblem`. */
export function problemSchemaName(code: ErrorCode): string {
  return `${pascalCase(code)}Problem`;
}

const CODE_OF_SCHEMA = new Map((Object.values(ErrorCode) as ErrorCode[]).map((code) => [`${SCHEMAS}${problemSchemaName(code)}`, code]));

/** The codes a problem response names (its schema: one `$ref`, or `oneOf` them). */
export function codesOf(response: ResponseObject | ReferenceObject | undefined): ErrorCode[] {
  const schema = (response as ResponseObject | undefined)?.content?.[PROBLEM_MEDIA_TYPE]?.schema;
  if (!schema) return [];
  const refs = '$ref' in schema ? [schema] : ((schema.oneOf ?? []) as ReferenceObject[]);
  return refs.flatMap((ref) => CODE_OF_SCHEMA.get(ref.$ref) ?? []);
}

/** The schema of an answer that is one of `codes` (all of one status), in catalog order. */
export function problemsSchema(codes: ErrorCode[]): SchemaObject | ReferenceObject {
  const ordered = (Object.keys(PROBLEM_CATALOG) as ErrorCode[]).filter((code) => codes.includes(code));
  const refs = ordered.map((code) => ({ $ref: `${SCHEMAS}${problemSchemaName(code)}` }));
  if (refs.length === 1) return refs[0];
  return { oneOf: refs, discriminator: { propertyName: 'code', mapping: Object.fromEntries(ordered.map((code, i) => [code, refs[i].$ref])) } };
}

/** The example members of a code: each member's own example. */
function exampleMembers(definition: ProblemDefinition): Record<string, unknown> {
  return Object.fromEntries(Object.entries(definition.members ?? {}).map(([name, member]) => [name, member.example]));
}

/** A problem of `code` as the server answers it, with every member the catalog gives an example of. */
export function problemExample(code: ErrorCode): ProblemDetails {
  const definition = problemDefinition(code);
  const detail = definition.meaning.charAt(0).toUpperCase() + definition.meaning.slice(1);
  return buildProblem(code, detail, {
    instance: '/api/v1/tasks/0190d5a4-7b8e-7c3a-9f1e-2b4c6d8e0a12',
    correlationId: '8c2f2d0e-4f0a-4d8e-9a51-3c1f4b8f6d21',
    extensions: exampleMembers(definition),
  });
}

/** The base schema and one per code (of `codes`: by default all), for `components.schemas`. */
export function problemSchemas(codes: ErrorCode[] = Object.values(ErrorCode)): Record<string, SchemaObject> {
  const schemas: Record<string, SchemaObject> = {
    [CODE_SCHEMA]: { type: 'string', enum: Object.values(ErrorCode), description: 'What went wrong, for programs to branch on' },
    [BASE_SCHEMA]: {
      type: 'object',
      description: 'An error answer (application/problem+json, RFC 9457). Each code has a schema of its own with its extra members.',
      properties: {
        type: { type: 'string', example: 'urn:agent-ledger:problem:validation-failed', description: 'A URN naming the code' },
        title: { type: 'string', example: 'Validation failed' },
        status: { type: 'integer', example: 400, description: 'The HTTP status of the answer' },
        detail: { type: 'string', example: 'name must be a string', description: 'What happened, for people' },
        code: { $ref: `${SCHEMAS}${CODE_SCHEMA}` },
        instance: { type: 'string', example: '/api/v1/agents' },
        correlationId: { type: 'string', description: 'Quote it when reporting a problem; it is in the logs too' },
      },
      required: ['type', 'title', 'status', 'detail', 'code'],
    },
  };
  for (const code of (Object.keys(PROBLEM_CATALOG) as ErrorCode[]).filter((known) => codes.includes(known))) {
    const definition = problemDefinition(code);
    schemas[problemSchemaName(code)] = {
      allOf: [{ $ref: `${SCHEMAS}${BASE_SCHEMA}` }],
      type: 'object',
      description: `${code}: ${definition.meaning}`,
      properties: {
        code: { type: 'string', enum: [code] },
        status: { type: 'integer', enum: [ERROR_STATUS[code]] },
        ...(definition.members as Record<string, SchemaObject> | undefined),
      },
      required: ['code', 'status', ...(definition.required ?? [])],
    };
  }
  return schemas;
}

/** A problem answer that is one of `codes`, for decorators: passes render its description and examples. */
export function problemContent(codes: ErrorCode[]): ResponseObject['content'] {
  return { [PROBLEM_MEDIA_TYPE]: { schema: problemsSchema(codes) } };
}

/** Adds `codes` to the problem answers of an operation, beside the codes it names already. */
export function addProblems(operation: OperationObject, codes: ErrorCode[]): void {
  for (const code of codes) {
    const status = String(ERROR_STATUS[code]);
    const existing = operation.responses[status] as ResponseObject | undefined;
    const known = codesOf(existing);
    if (known.includes(code)) continue;
    operation.responses[status] = { ...existing, description: existing?.description ?? '', content: problemContent([...known, code]) };
  }
}

/** Every operation of the document, with its method. */
export function operationsOf(document: OpenAPIObject): OperationObject[] {
  return Object.values<PathItemObject>(document.paths).flatMap((path) => METHODS.flatMap((method) => path[method] ?? []));
}

/**
 * What every route behind an API key can answer, whatever it does: a malformed request or invalid
 * parameters (400), a missing or unknown key (401), the rate limit (429), colliding writes or the
 * time limit (503).
 */
const SHARED_PROBLEMS = [
  ErrorCode.BadRequest,
  ErrorCode.ValidationFailed,
  ErrorCode.Unauthenticated,
  ErrorCode.RateLimited,
  ErrorCode.ServiceUnavailable,
  ErrorCode.RequestTimeout,
];

/** Adds the shared answers to every operation behind an API key: said once here rather than on every route. */
export function documentSharedProblems(document: OpenAPIObject): OpenAPIObject {
  for (const operation of operationsOf(document)) {
    if (operation.security?.some((requirement) => API_KEY_SECURITY in requirement)) addProblems(operation, SHARED_PROBLEMS);
  }
  return document;
}

/** The `Retry-After` header of an answer some of whose codes carry `retryAfterSeconds`: required when all do. */
function retryAfterHeader(codes: ErrorCode[]): HeaderObject | undefined {
  const saying = codes.filter((code) => problemDefinition(code).members?.retryAfterSeconds !== undefined);
  if (saying.length === 0) return undefined;
  const always = saying.length === codes.length && saying.every((code) => problemDefinition(code).required?.includes('retryAfterSeconds'));
  return {
    description: always ? 'Seconds to wait before trying again' : `Seconds to wait before trying again (with ${saying.join(', ')})`,
    required: always,
    schema: { type: 'integer', minimum: 0, example: 1 },
  };
}

/**
 * Renders every problem answer of the document from the codes it names: a description listing
 * the codes, an example per code (its `status` that of the answer), `Retry-After` where a code
 * says when to come back, and in `components` the schema of every code some answer names.
 */
export function documentProblems(document: OpenAPIObject): OpenAPIObject {
  const named = new Set<ErrorCode>();
  for (const operation of operationsOf(document)) {
    for (const [status, response] of Object.entries(operation.responses) as [string, ResponseObject][]) {
      const codes = codesOf(response);
      if (codes.length === 0) continue;
      for (const code of codes) named.add(code);
      const retryAfter = retryAfterHeader(codes);
      operation.responses[status] = {
        ...response,
        description: codes.map((code) => `${code}: ${problemDefinition(code).meaning}`).join('; '),
        ...(retryAfter ? { headers: { ...response.headers, 'Retry-After': retryAfter } } : {}),
        content: {
          [PROBLEM_MEDIA_TYPE]: {
            schema: problemsSchema(codes),
            examples: Object.fromEntries(codes.map((code) => [code, { summary: problemDefinition(code).title, value: problemExample(code) }])),
          },
        },
      };
    }
  }
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ...problemSchemas([...named]) } };
  return document;
}
