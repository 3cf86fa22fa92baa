import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATION_ID_PATTERN } from '../../src/common/http/openapi/operation-ids';
import { createTenant, createTestApp, TestApp } from '../utils/test-app';

const LOG_LEVEL = process.env.DEBUG_LOG_LEVEL ?? 'silent';
const METHODS = ['get', 'put', 'post', 'patch', 'delete'];
/** A member named like this holds a whole number. */
const INTEGER_NAME = /^(version|\w+Version|attempts|priority|status|limit|offset|count|total\w*|\w+Count|\w+Tasks|\w*Seconds)$/;

interface Operation {
  operationId: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; schema?: { type?: string; format?: string } }[];
  requestBody?: { content: Record<string, { schema?: { $ref?: string } }> };
  responses: Record<string, Response>;
}
interface Response {
  headers?: Record<string, unknown>;
  content?: Record<string, { schema?: SchemaNode; examples?: Record<string, { value: { status?: number; code?: string } }> }>;
}
interface SchemaNode {
  $ref?: string;
  oneOf?: SchemaNode[];
  allOf?: SchemaNode[];
  properties?: Record<string, SchemaNode & { enum?: unknown[] }>;
  required?: string[];
  discriminator?: { propertyName: string; mapping: Record<string, string> };
}
interface Document {
  servers?: { url: string }[];
  tags?: { name: string; description?: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, SchemaNode>; securitySchemes?: Record<string, unknown> };
}

const PROBLEM = 'application/problem+json';
const nameOf = (ref: string) => ref.split('/').pop()!;
/** The schemas a problem answer names: one reference, or oneOf several. */
const problemSchemasOf = (response: Response) => {
  const schema = response.content?.[PROBLEM]?.schema;
  return schema ? (schema.oneOf ?? [schema]).map((ref) => nameOf(ref.$ref!)) : [];
};

function operationsOf(document: Document): [string, Operation][] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, operation]): [string, Operation] => [`${method.toUpperCase()} ${path}`, operation]),
  );
}

/** Every `number` schema member whose name says it holds a whole number, as `Schema.member`. */
function numbersNamedAsIntegers(document: Document): string[] {
  const found: string[] = [];
  const walk = (where: string, schema: unknown): void => {
    if (schema === null || typeof schema !== 'object') return;
    const node = schema as { properties?: Record<string, { type?: string; items?: unknown }>; items?: unknown };
    for (const [name, member] of Object.entries(node.properties ?? {})) {
      if (member.type === 'number' && INTEGER_NAME.test(name)) found.push(`${where}.${name}`);
      walk(`${where}.${name}`, member);
    }
    walk(where, node.items);
  };
  for (const [name, schema] of Object.entries(document.components.schemas)) walk(name, schema);
  return found;
}

describe('OpenAPI document (/docs-json)', () => {
  let t: TestApp;
  let document: Document;

  beforeAll(async () => {
    t = await createTestApp({ LOG_LEVEL, PUBLIC_URL: 'https://ledger.example.com/' });
    document = (await t.http().get('/docs-json').expect(200)).body as Document;
  });
  afterAll(() => t?.close());

  it('names every operation readably, once', () => {
    const ids = operationsOf(document).map(([, operation]) => operation.operationId);
    expect(ids.filter((id) => !OPERATION_ID_PATTERN.test(id))).toEqual([]);
    expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([]);
    expect(ids).toEqual(
      expect.arrayContaining(['createAgent', 'listAgents', 'getAgent', 'updateAgent', 'deleteAgent', 'bulkCreateAgents', 'listTaskSubtasks']),
    );
  });

  it('says where the API is, what each tag groups, and which routes are public', () => {
    expect(document.servers).toEqual([{ url: 'https://ledger.example.com' }]);
    const declared = new Map((document.tags ?? []).map((tag) => [tag.name, tag.description]));
    const used = new Set(operationsOf(document).flatMap(([, operation]) => operation.tags ?? []));
    for (const tag of used) expect(declared.get(tag), `tag ${tag}`).toBeTruthy();
    expect(document.paths['/health/live'].get.security).toEqual([]);
    // /metrics answers to its own token (or an admin key) when METRICS_AUTH is on: it says so.
    expect(document.paths['/metrics'].get.security).toEqual([{ 'metrics-token': [] }]);
    expect(document.paths['/api/v1/agents'].get.security).toEqual([{ 'api-key': [] }]);
    // Every scheme an operation names is declared, so a generated client can fill it in.
    const schemes = Object.keys(document.components.securitySchemes ?? {});
    const named = operationsOf(document).flatMap(([, operation]) => (operation.security ?? []).flatMap((requirement) => Object.keys(requirement)));
    expect(named.filter((name) => !schemes.includes(name))).toEqual([]);
  });

  it('declares ETag on versioned answers and Retry-After with the rate-limit headers on every authenticated route', () => {
    const agent = document.paths['/api/v1/agents/{id}'];
    expect(Object.keys(agent.get.responses['200'].headers ?? {})).toContain('ETag');
    expect(Object.keys(agent.patch.responses['200'].headers ?? {})).toContain('ETag');
    expect(Object.keys(document.paths['/api/v1/agents'].post.responses['201'].headers ?? {})).toEqual(expect.arrayContaining(['ETag', 'Location']));
    const ifMatch = agent.patch.parameters?.find((parameter) => parameter.name === 'If-Match');
    expect(ifMatch?.schema).toMatchObject({ pattern: '^"\\d+"$' });
    for (const [name, operation] of operationsOf(document)) {
      // The Prometheus scrape is not rate-limited (it is guarded by METRICS_AUTH instead).
      if ((operation.security ?? []).length === 0 || name === 'GET /metrics') continue;
      expect(Object.keys(operation.responses['429']?.headers ?? {}), name).toEqual(
        expect.arrayContaining(['Retry-After', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset']),
      );
      expect(Object.keys(operation.responses['503']?.headers ?? {}), name).toContain('Retry-After');
    }
  });

  it('answers each error status with the schemas of its codes, and an example of each code with that status', () => {
    for (const [name, operation] of operationsOf(document)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        const problem = response.content?.[PROBLEM];
        if (!problem) continue;
        const schemas = problemSchemasOf(response);
        const codes = schemas.map((schema) => document.components.schemas[schema].properties?.code.enum?.[0]);
        for (const schema of schemas)
          expect(document.components.schemas[schema].properties?.status.enum, `${name} ${status} ${schema}`).toEqual([Number(status)]);
        expect(Object.keys(problem.examples ?? {}).sort(), `${name} ${status}`).toEqual([...codes].sort());
        for (const [code, example] of Object.entries(problem.examples ?? {}))
          expect(example.value, `${name} ${status}`).toMatchObject({ status: Number(status), code });
        if (schemas.length > 1) expect(problem.schema?.discriminator?.propertyName).toBe('code');
      }
    }
  });

  it('has a schema per error code with its members, and a code of its own for each kind of conflict', () => {
    const members = (schema: string) => ({ ...document.components.schemas[schema].properties });
    const required = (schema: string) => document.components.schemas[schema].required;
    for (const [schema, member] of [
      ['VersionConflictProblem', 'currentVersion'],
      ['VersionConflictProblem', 'expectedVersion'],
      ['TaskBlockedProblem', 'blockedBy'],
      ['ValidationFailedProblem', 'errors'],
      ['RateLimitedProblem', 'retryAfterSeconds'],
      ['ServiceUnavailableProblem', 'retryAfterSeconds'],
      ['CallIdConflictProblem', 'callId'],
      ['AgentKeyTakenProblem', 'keys'],
      ['NotRedrivableProblem', 'currentStatus'],
    ]) {
      expect(Object.keys(members(schema)), schema).toContain(member);
      expect(required(schema), schema).toContain(member);
    }
    expect(Object.keys(members('UnprocessableProblem'))).toEqual(expect.arrayContaining(['errors', 'cycle']));
    expect(document.components.schemas.TaskBlockedProblem.allOf).toEqual([{ $ref: '#/components/schemas/Problem' }]);
    // Each route names the conflicts it can meet, none the generic code.
    expect(problemSchemasOf(document.paths['/api/v1/tasks/{id}'].patch.responses['409'])).toEqual(['VersionConflictProblem', 'TaskBlockedProblem']);
    expect(problemSchemasOf(document.paths['/api/v1/dead-letters/{id}/redrive'].post.responses['409'])).toContain('NotRedrivableProblem');
    const generic = operationsOf(document).filter(([, operation]) => problemSchemasOf(operation.responses['409'] ?? {}).includes('ConflictProblem'));
    expect(generic.map(([name]) => name)).toEqual([]);
  });

  it('declares Location on every 201 that creates one resource', () => {
    const creates = operationsOf(document).flatMap(([name, operation]) => (operation.responses['201'] ? [[name, operation.responses['201']] as const] : []));
    expect(creates.length).toBeGreaterThanOrEqual(20);
    for (const [name, response] of creates) {
      const schema = document.components.schemas[nameOf(response.content?.['application/json']?.schema?.$ref ?? '')];
      // A bulk create answers { items }, the resources in order: no one resource to point at.
      if (schema.properties?.items) expect(name, name).toMatch(/\/bulk$/);
      else expect(Object.keys(response.headers ?? {}), name).toContain('Location');
    }
  });

  it("publishes each handler's result schema, and types the intake body by them", async () => {
    const tenant = await createTenant(t.app);
    const handlers = (await t.http().get('/api/v1/handlers').set(tenant.auth).expect(200)).body.items as { schema: string; resultSchema: string }[];
    expect(handlers.map((handler) => handler.resultSchema)).toEqual(expect.arrayContaining(['CoreTaskResultV1', 'KnowledgeInsightV1']));
    const body = document.components.schemas.ServiceCallBody;
    expect(document.paths['/api/v1/service-calls'].post.requestBody?.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/ServiceCallBody',
    });
    expect(body.discriminator?.propertyName).toBe('schema');
    for (const handler of handlers) {
      const variant = document.components.schemas[nameOf(body.discriminator!.mapping[handler.schema])];
      expect(variant.properties?.schema.enum, handler.schema).toEqual([handler.schema]);
      expect(variant.properties?.result, handler.schema).toEqual({ $ref: `#/components/schemas/${handler.resultSchema}` });
      expect(document.components.schemas[handler.resultSchema], handler.resultSchema).toBeDefined();
    }
    expect(document.components.schemas.CoreTaskResultV1.allOf).toEqual([{ $ref: '#/components/schemas/TaskResultDto' }]);
    expect(document.components.schemas.TaskResultDto.required).toEqual(['taskId', 'status']);
  });

  it('types whole numbers as integer and path ids as uuid', () => {
    expect(numbersNamedAsIntegers(document)).toEqual([]);
    const parameters = operationsOf(document).flatMap(([name, operation]) =>
      (operation.parameters ?? []).map((parameter) => ({ operation: name, ...parameter })),
    );
    expect(
      parameters
        .filter((parameter) => parameter.in === 'path' && parameter.name === 'id' && parameter.schema?.format !== 'uuid')
        .map(({ operation }) => operation),
    ).toEqual([]);
    expect(
      parameters
        .filter((parameter) => INTEGER_NAME.test(parameter.name) && parameter.schema?.type === 'number')
        .map(({ operation, name }) => `${operation} ${name}`),
    ).toEqual([]);
  });
});
