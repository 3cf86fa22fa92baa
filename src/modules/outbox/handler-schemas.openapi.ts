import type { Type } from '@nestjs/common';
import type { OpenAPIObject, ReferenceObject, SchemaObject } from '@nestjs/swagger';
import type { DocumentContribution } from '../../common/http/openapi/document-contributions';
import { handlerOptionsOf, PersistenceHandlerOptions, resultSchemaName, schemaIdentityName } from './persistence-handler';

const SCHEMAS = '#/components/schemas/';
/** The intake body as @nestjs/swagger renders it from CreateServiceCallDto: `result` is any object. */
const UNTYPED_BODY = 'CreateServiceCallDto';
/** The intake body typed by the handlers: one variant per schema identity, told apart by `schema`. */
const TYPED_BODY = 'ServiceCallBody';
const ANY_RESULT: SchemaObject = { type: 'object', additionalProperties: true };

const ref = (name: string): ReferenceObject => ({ $ref: `${SCHEMAS}${name}` });

/** The persistence handlers among the app's providers, by identity. */
function handlersOf(providers: Type[]): PersistenceHandlerOptions[] {
  return providers
    .flatMap((provider) => handlerOptionsOf(provider) ?? [])
    .sort((a, b) => `${a.namespace}/${a.schema}`.localeCompare(`${b.namespace}/${b.schema}`));
}

/** The body of POST /service-calls for one schema identity, served by `handlers` (usually one). */
function intakeVariant(untyped: SchemaObject, schema: string, handlers: PersistenceHandlerOptions[]): SchemaObject {
  const results = handlers.map((handler) => (handler.resultType ? ref(resultSchemaName(handler.namespace, handler.schema)) : ANY_RESULT));
  const namespaces = handlers.map((handler) => handler.namespace);
  const properties = untyped.properties as Record<string, SchemaObject>;
  return {
    type: 'object',
    description: `A result for ${handlers.map((handler) => `${handler.namespace}/${handler.schema}`).join(' or ')}`,
    properties: {
      ...properties,
      // A `core` handler serves every namespace without a handler of its own for the schema.
      namespace: namespaces.includes('core') ? properties.namespace : { ...properties.namespace, enum: namespaces, example: namespaces[0] },
      schema: { ...properties.schema, enum: [schema], example: schema },
      result: results.length === 1 ? results[0] : { anyOf: results },
    },
    required: untyped.required,
  };
}

/** Points every reference to the untyped intake body at the typed one. */
function retarget(node: unknown): void {
  if (node === null || typeof node !== 'object') return;
  for (const value of Object.values(node)) retarget(value);
  const reference = node as { $ref?: string };
  if (reference.$ref === `${SCHEMAS}${UNTYPED_BODY}`) reference.$ref = `${SCHEMAS}${TYPED_BODY}`;
}

/**
 * Publishes each handler's result schema as `<Namespace><Schema>V<version>` (`CoreTaskResultV1`,
 * listed by GET /handlers as `resultSchema`) and types the intake body by them: `ServiceCallBody`
 * is one variant per schema identity, discriminated by `schema`, whose `result` is that schema.
 */
function publishHandlerSchemas(document: OpenAPIObject, handlers: PersistenceHandlerOptions[]): OpenAPIObject {
  const schemas = document.components?.schemas ?? {};
  const untyped = schemas[UNTYPED_BODY] as SchemaObject | undefined;
  if (!untyped || handlers.length === 0) return document;
  for (const handler of handlers) {
    if (!handler.resultType) continue;
    schemas[resultSchemaName(handler.namespace, handler.schema)] = {
      allOf: [ref(handler.resultType.name)],
      description: `The result that ${handler.namespace}/${handler.schema} persists: the \`result\` of POST /service-calls with schema ${handler.schema}`,
    };
  }
  const identities = [...new Set(handlers.map((handler) => handler.schema))];
  const mapping: Record<string, string> = {};
  for (const schema of identities) {
    const name = `${schemaIdentityName(schema)}ServiceCall`;
    schemas[name] = intakeVariant(
      untyped,
      schema,
      handlers.filter((handler) => handler.schema === schema),
    );
    mapping[schema] = ref(name).$ref;
  }
  delete schemas[UNTYPED_BODY];
  retarget(document.paths);
  retarget(schemas);
  schemas[TYPED_BODY] = {
    description:
      'A structured result for one of the handlers this server runs (GET /handlers), told apart by `schema`. ' +
      'A result for a schema no handler takes is stored and skipped.',
    oneOf: Object.values(mapping).map(($ref) => ({ $ref })),
    discriminator: { propertyName: 'schema', mapping },
  };
  return document;
}

/** What the outbox adds to the document: its handlers' result schemas, and the intake body typed by them. */
export const HANDLER_SCHEMAS: DocumentContribution = {
  models: (providers) => handlersOf(providers).flatMap((handler) => handler.resultType ?? []),
  complete: (document, providers) => publishHandlerSchemas(document, handlersOf(providers)),
};
