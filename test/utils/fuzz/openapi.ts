import { NestFastifyApplication } from '@nestjs/platform-fastify';

/** The subset of JSON Schema that @nestjs/swagger emits, with every `$ref` resolved. */
export interface Schema {
  type?: string;
  format?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: boolean | Schema;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  nullable?: boolean;
  example?: unknown;
  $ref?: string;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: Schema;
}

/** One route of the API as its OpenAPI document describes it. */
export interface Operation {
  method: string;
  /** The OpenAPI path template, e.g. `/api/v1/agents/{id}`. */
  path: string;
  parameters: Parameter[];
  body?: Schema;
  secured: boolean;
}

interface OpenApiDocument {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: Parameter[];
        requestBody?: { content?: Record<string, { schema?: Schema }> };
        responses?: Record<string, { content?: Record<string, unknown> }>;
        security?: unknown[];
      }
    >
  >;
  components?: { schemas?: Record<string, Schema> };
}

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

/** Every operation of the app's own OpenAPI document (`GET /docs-json`), so new routes are covered with no test change. */
export async function discoverOperations(app: NestFastifyApplication): Promise<Operation[]> {
  const res = await app.inject({ method: 'GET', url: '/docs-json' });
  if (res.statusCode !== 200) throw new Error(`GET /docs-json answered ${res.statusCode}`);
  const document = res.json<OpenApiDocument>();
  const schemas = document.components?.schemas ?? {};
  const resolve = (schema: Schema | undefined, seen: string[] = []): Schema | undefined => {
    if (!schema) return undefined;
    if (schema.$ref) {
      const name = schema.$ref.split('/').pop()!;
      // A self-referencing schema stops at its second appearance: generated values stay finite.
      return seen.includes(name) ? { type: 'object' } : resolve(schemas[name], [...seen, name]);
    }
    // One of several shapes (the intake body, one per handler schema): requests take the first.
    const [variant] = schema.oneOf ?? schema.anyOf ?? [];
    if (variant) return resolve(variant, seen);
    // A schema built from parts (a problem, a named alias of a DTO): their members together.
    if (schema.allOf) {
      const { allOf, ...rest } = schema;
      const parts = [...allOf.map((part) => resolve(part, seen)!), rest];
      return resolve(
        {
          ...Object.assign({}, ...parts),
          properties: Object.assign({}, ...parts.map((part) => part.properties ?? {})),
          required: parts.flatMap((part) => part.required ?? []),
        },
        seen,
      );
    }
    return {
      ...schema,
      properties: schema.properties && Object.fromEntries(Object.entries(schema.properties).map(([key, value]) => [key, resolve(value, seen)!])),
      items: resolve(schema.items, seen),
    };
  };
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      if (!METHODS.has(method)) continue;
      // A live stream answers for as long as the client listens: test/e2e/event-stream.e2e-spec.ts covers it.
      if (operation.responses?.['200']?.content?.['text/event-stream']) continue;
      operations.push({
        method: method.toUpperCase(),
        path,
        parameters: (operation.parameters ?? []).map((parameter) => ({ ...parameter, schema: resolve(parameter.schema) ?? {} })),
        body: resolve(operation.requestBody?.content?.['application/json']?.schema),
        secured: (operation.security ?? []).length > 0,
      });
    }
  }
  return operations;
}

export function operationName(operation: Operation): string {
  return `${operation.method} ${operation.path}`;
}
