import type { paths } from './generated/openapi';

/**
 * Types looked up by path and method in the generated `paths`, never by operationId or schema
 * name: those may be renamed in the document without breaking this layer.
 */
export type { paths };
export type Path = keyof paths;
export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

type Operation<P extends Path, M extends Method> = paths[P][M] extends infer O ? (O extends { responses: unknown } ? O : never) : never;

/** The paths that have an operation for `M`. */
export type PathsWith<M extends Method> = { [P in Path]: paths[P][M] extends { responses: unknown } ? P : never }[Path];

/** The JSON body of a successful (2xx) answer. */
export type ResponseOf<P extends Path, M extends Method> = {
  [S in keyof Operation<P, M>['responses']]: S extends 200 | 201 | 202 | 204
    ? Operation<P, M>['responses'][S] extends { content: { 'application/json': infer R } }
      ? R
      : undefined
    : never;
}[keyof Operation<P, M>['responses']];

type ProblemsOf<O> = O extends { responses: infer R }
  ? { [S in keyof R]: R[S] extends { content: { 'application/problem+json': infer B } } ? B : never }[keyof R]
  : never;

/** Every problem some operation of the document can answer: a union told apart by `code`. */
export type DocumentedProblem = { [P in Path]: { [M in Method]: ProblemsOf<paths[P][M]> }[Method] }[Path];
/** The problem codes of the document (`TASK_BLOCKED`, `VERSION_CONFLICT`…). */
export type ProblemCode = DocumentedProblem['code'];
/** The problem body of a code, with its members as the document types them (`blockedBy` for `TASK_BLOCKED`). */
export type ProblemOf<C extends ProblemCode> = Extract<DocumentedProblem, { code: C }>;

export type BodyOf<P extends Path, M extends Method> = Operation<P, M> extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;
export type QueryOf<P extends Path, M extends Method> = Operation<P, M> extends { parameters: { query?: infer Q } } ? Q : never;
export type ParamsOf<P extends Path, M extends Method> = Operation<P, M> extends { parameters: { path: infer X } } ? X : never;

type ParamsOption<P extends Path, M extends Method> = [ParamsOf<P, M>] extends [never] ? { params?: undefined } : { params: ParamsOf<P, M> };
type QueryOption<P extends Path, M extends Method> = [QueryOf<P, M>] extends [never] | [undefined] ? { query?: undefined } : { query?: QueryOf<P, M> };
type BodyOption<P extends Path, M extends Method> = [BodyOf<P, M>] extends [never]
  ? { body?: undefined }
  : Operation<P, M> extends { requestBody: unknown }
    ? { body: BodyOf<P, M> }
    : { body?: BodyOf<P, M> };

/** What every call may add. */
export interface CallOptions {
  /** Extra request headers (e.g. `X-Actor-Id`). */
  headers?: Record<string, string>;
  /** For a POST: the key the server deduplicates repeats by. A fresh one per call when left out. */
  idempotencyKey?: string;
  /** For an update or a guarded delete: the version you read, sent as `If-Match: "<version>"`. */
  version?: number;
  signal?: AbortSignal;
}

/** The options of a call to `path` with `method`: its path parameters, query and body, as the document types them. */
export type RequestOptions<P extends Path, M extends Method> = ParamsOption<P, M> & QueryOption<P, M> & BodyOption<P, M> & CallOptions;

// The resources, as the routes that return them describe them.
export type Agent = ResponseOf<'/api/v1/agents/{id}', 'get'>;
export type Workflow = ResponseOf<'/api/v1/workflows/{id}', 'get'>;
export type Task = ResponseOf<'/api/v1/tasks/{id}', 'get'>;
export type Message = ResponseOf<'/api/v1/messages/{id}', 'get'>;
export type ServiceCall = ResponseOf<'/api/v1/service-calls/{id}', 'get'>;
export type ServiceCallInput = BodyOf<'/api/v1/service-calls', 'post'>;
export type DomainEvent = ResponseOf<'/api/v1/events', 'get'>['items'][number];
