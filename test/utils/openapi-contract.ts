import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { Response } from 'supertest';
import supertest from 'supertest';

/**
 * The API's OpenAPI document as a contract that real traffic is checked against: the operation
 * a request is for exists, the status it got is one the operation declares, the body has a
 * declared media type and matches its schema, and the declared headers are there (the required
 * ones) and well-formed (all). `drift()` says how an answer differs; `check()` throws on any.
 */

interface HeaderObject {
  $ref?: string;
  required?: boolean;
  schema?: object;
}
interface ResponseObject {
  headers?: Record<string, HeaderObject>;
  content?: Record<string, { schema?: object }>;
}
interface OperationObject {
  operationId: string;
  responses: Record<string, ResponseObject>;
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, OperationObject>>;
  components: { schemas?: Record<string, object>; headers?: Record<string, HeaderObject> };
}

/** One request and the answer it got, as much as the checks need. */
export interface Exchange {
  method: string;
  /** The request URL: path and query. */
  url: string;
  status: number;
  /** Lower-case names. */
  headers: Record<string, string | string[] | undefined>;
  /** The body as received; undefined when it was not read (a stream). */
  text?: string;
}

const METHODS = ['get', 'put', 'post', 'patch', 'delete'];
const DOCUMENT_ID = 'openapi.json';

interface Route {
  method: string;
  template: string;
  pattern: RegExp;
  literals: number;
}

const isJson = (mediaType: string) => mediaType === 'application/json' || mediaType.endsWith('+json');

/** A copy of `schema` whose local references (`#/components/...`) point into the registered document. */
function anchored(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(anchored);
  if (schema === null || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [
      key,
      key === '$ref' && typeof value === 'string' && value.startsWith('#') ? `${DOCUMENT_ID}${value}` : anchored(value),
    ]),
  );
}

export class OpenApiContract {
  /** `GET /api/v1/agents/{id}` → the statuses it was seen answering. */
  readonly seen = new Map<string, Set<number>>();
  private readonly routes: Route[];
  private readonly ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  /** Header values are strings on the wire: `"3"` is a fine integer there. */
  private readonly headerAjv = new Ajv({ strict: false, allErrors: true, coerceTypes: true });
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly headerValidators = new Map<object, ValidateFunction>();

  constructor(readonly document: OpenApiDocument) {
    addFormats(this.ajv);
    addFormats(this.headerAjv);
    this.ajv.addSchema({ $id: DOCUMENT_ID, components: document.components });
    this.routes = Object.entries(document.paths)
      .flatMap(([template, item]) => Object.keys(item).flatMap((method) => (METHODS.includes(method) ? [{ method, template }] : [])))
      .map(({ method, template }) => {
        const segments = template.split('/');
        const source = segments.map((segment) => (/^\{\w+\}$/.test(segment) ? '[^/]+' : segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))).join('/');
        return { method, template, pattern: new RegExp(`^${source}$`), literals: segments.filter((segment) => !segment.startsWith('{')).length };
      })
      // `/agents/by-key/{key}` before `/agents/{id}/...`: the route with more literal segments wins, as in the router.
      .sort((a, b) => b.literals - a.literals);
  }

  /** The contract of the document a running app serves. */
  static async of(http: supertest.Agent): Promise<OpenApiContract> {
    const res = await http.get('/docs-json').expect(200);
    return new OpenApiContract(res.body as OpenApiDocument);
  }

  /** Every operation of the document: `GET /api/v1/agents/{id}`. */
  get operations(): string[] {
    return this.routes.map(({ method, template }) => `${method.toUpperCase()} ${template}`).sort();
  }

  /** The operation a request is for (`POST /api/v1/agents`), if the document has one. */
  operationOf(method: string, url: string): string | undefined {
    const path = url.split('?')[0];
    const route = this.routes.find((candidate) => candidate.method === method.toLowerCase() && candidate.pattern.test(path));
    return route && `${route.method.toUpperCase()} ${route.template}`;
  }

  /** How the answer differs from what the document says of it: empty when it matches. */
  drift(exchange: Exchange): string[] {
    const key = this.operationOf(exchange.method, exchange.url);
    if (!key) return [`no operation of the document is ${exchange.method.toUpperCase()} ${exchange.url.split('?')[0]}`];
    const [method, template] = key.split(' ');
    const operation = this.document.paths[template][method.toLowerCase()];
    const statusKey = String(exchange.status) in operation.responses ? String(exchange.status) : 'default';
    const response = operation.responses[statusKey];
    if (!response) return [`${key} answered ${exchange.status}, which it does not declare (it declares ${Object.keys(operation.responses).join(', ')})`];
    const where = `${key} ${exchange.status}`;
    return [...this.headerDrift(where, response, exchange), ...this.bodyDrift(where, [template, method.toLowerCase(), statusKey], response, exchange)];
  }

  /** Checks the answer against the document (throwing an error that lists every difference) and records it as seen. */
  check(exchange: Exchange): void {
    const differences = this.drift(exchange);
    if (differences.length > 0) {
      throw new Error(`The answer to ${exchange.method.toUpperCase()} ${exchange.url} drifted from the OpenAPI document:\n- ${differences.join('\n- ')}`);
    }
    const key = this.operationOf(exchange.method, exchange.url)!;
    this.seen.set(key, (this.seen.get(key) ?? new Set()).add(exchange.status));
  }

  /** Operations of the document that no checked answer exercised with a 2xx. */
  unexercised(): string[] {
    return this.operations.filter((operation) => ![...(this.seen.get(operation) ?? [])].some((status) => status < 300));
  }

  private headerDrift(where: string, response: ResponseObject, exchange: Exchange): string[] {
    const differences: string[] = [];
    for (const [name, declared] of Object.entries(response.headers ?? {})) {
      const header = declared.$ref ? this.document.components.headers?.[declared.$ref.split('/').pop()!] : declared;
      const value = exchange.headers[name.toLowerCase()];
      if (value === undefined) {
        if (header?.required) differences.push(`${where}: the header ${name} is declared required but was not sent`);
        continue;
      }
      if (!header?.schema) continue;
      const validate = this.headerValidator(header.schema);
      if (!validate({ value: Array.isArray(value) ? value[0] : value })) {
        differences.push(`${where}: the header ${name} (${String(value)}) does not match its schema: ${this.headerAjv.errorsText(validate.errors)}`);
      }
    }
    return differences;
  }

  private headerValidator(schema: object): ValidateFunction {
    let validate = this.headerValidators.get(schema);
    if (!validate) {
      validate = this.headerAjv.compile({ type: 'object', properties: { value: schema } });
      this.headerValidators.set(schema, validate);
    }
    return validate;
  }

  private bodyDrift(where: string, [template, method, statusKey]: string[], response: ResponseObject, exchange: Exchange): string[] {
    if (exchange.text === '') return response.content ? [`${where}: no body, where the document declares ${Object.keys(response.content).join(', ')}`] : [];
    const mediaType = String(exchange.headers['content-type'] ?? '')
      .split(';')[0]
      .trim()
      .toLowerCase();
    const declared = response.content?.[mediaType];
    if (!declared)
      return [
        `${where}: a body of ${mediaType || 'no declared type'}, where the document declares ${Object.keys(response.content ?? {}).join(', ') || 'none'}`,
      ];
    if (exchange.text === undefined || !isJson(mediaType) || !declared.schema) return [];
    let body: unknown;
    try {
      body = JSON.parse(exchange.text);
    } catch {
      return [`${where}: the ${mediaType} body is not JSON: ${exchange.text.slice(0, 200)}`];
    }
    const cacheKey = `${method} ${template} ${statusKey} ${mediaType}`;
    let validate = this.validators.get(cacheKey);
    if (!validate) {
      validate = this.ajv.compile(anchored(declared.schema) as object);
      this.validators.set(cacheKey, validate);
    }
    if (validate(body)) return [];
    return [
      `${where}: the body does not match its schema: ${this.ajv.errorsText(validate.errors, { separator: '; ' })}\n  body: ${exchange.text.slice(0, 1000)}`,
    ];
  }
}

/** The answer of a supertest request as an Exchange. */
export function exchangeOf(method: string, url: string, res: Response): Exchange {
  return { method, url, status: res.status, headers: res.headers, text: res.text ?? '' };
}

type Verb = 'get' | 'post' | 'put' | 'patch' | 'delete';
export type CheckedAgent = Pick<supertest.Agent, Verb>;

/** A client of the test app whose every answer is checked against the contract (the request fails on a drift). */
export function checkedAgent(agent: supertest.Agent, contract: OpenApiContract): CheckedAgent {
  const verb =
    (method: Verb) =>
    (url: string): supertest.Test =>
      agent[method](url).expect((res: Response) => contract.check(exchangeOf(method, url, res)));
  return { get: verb('get'), post: verb('post'), put: verb('put'), patch: verb('patch'), delete: verb('delete') };
}
