import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATION_ID_PATTERN } from '../../src/common/http/openapi/operation-ids';
import { createTestApp, TestApp } from '../utils/test-app';

const LOG_LEVEL = process.env.DEBUG_LOG_LEVEL ?? 'silent';
const METHODS = ['get', 'put', 'post', 'patch', 'delete'];
/** A member named like this holds a whole number. */
const INTEGER_NAME = /^(version|\w+Version|attempts|priority|status|limit|offset|count|total\w*|\w+Count|\w+Tasks|\w*Seconds)$/;

interface Operation {
  operationId: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; schema?: { type?: string; format?: string } }[];
  responses: Record<string, { headers?: Record<string, unknown>; content?: Record<string, { schema?: unknown; example?: { status?: number } }> }>;
}
interface Document {
  servers?: { url: string }[];
  tags?: { name: string; description?: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes?: Record<string, unknown> };
}

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
    expect(Object.keys(document.paths['/api/v1/agents'].post.responses['201'].headers ?? {})).toContain('ETag');
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

  it('shows each error answer with an example of its own status', () => {
    for (const [name, operation] of operationsOf(document)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        const problem = response.content?.['application/problem+json'];
        if (!problem) continue;
        expect(problem.example?.status, `${name} ${status}`).toBe(Number(status));
      }
    }
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
