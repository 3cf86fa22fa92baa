import { applyDecorators, Injectable, SetMetadata, Type } from '@nestjs/common';
import { Transaction } from '../../common/persistence/unit-of-work';

export const PERSISTENCE_HANDLER = 'agent-ledger:persistence-handler';

/** `task.result@1`: a schema name, `@`, and its version. */
export const SCHEMA_IDENTITY = /^[a-z][a-z0-9_.-]{0,99}@[1-9][0-9]{0,5}$/;
export const NAMESPACE = /^[a-z][a-z0-9_.-]{0,63}$/;

export interface PersistenceHandlerOptions {
  /** Who the handler serves; `core` handlers serve every namespace that has no handler of its own. */
  namespace: string;
  /** The schema identity it persists, versioned: `task.result@1`. */
  schema: string;
  /** A class-validator DTO the result must satisfy; a result that does not is a permanent failure. */
  resultType?: Type<object>;
}

/** What a handler gets besides the result: the transaction to write in, and where the result came from. */
export interface PersistContext {
  /** The transaction's EntityManager, the caller's tenant/actor/correlation id, and `record()` for events. */
  tx: Transaction;
  recordId: string;
  callId: string;
  namespace: string;
  schema: string;
}

/** The main domain object a result became: linked from its idempotency key and reported by the API. */
export interface PersistedObject {
  type: string;
  id: string;
}

/** One result of a batch, with its own context (its record's author, correlation id and event log). */
export interface PersistItem<R = unknown> {
  result: R;
  ctx: PersistContext;
}

export interface PersistenceHandlerContract<R = unknown> {
  persist(result: R, ctx: PersistContext): Promise<PersistedObject>;
  /**
   * Optional: persists several results of ONE tenant at once (multi-row statements), returning
   * their domain objects in the order of `items`. Every item's `ctx.tx` shares one transaction;
   * record each item's events through its own `ctx.tx`. If it throws, the drain replays the items
   * one by one through `persist` to find the one that fails, so it may fail as a whole.
   */
  persistMany?(items: PersistItem<R>[]): Promise<PersistedObject[]>;
}

/** The handler options a provider class declares with @PersistenceHandler, if it is one. */
export function handlerOptionsOf(provider: Type): PersistenceHandlerOptions | undefined {
  return Reflect.getMetadata(PERSISTENCE_HANDLER, provider) as PersistenceHandlerOptions | undefined;
}

const pascalCase = (text: string) =>
  text
    .split(/[._-]/)
    .filter((word) => word !== '')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');

/** A schema identity as a name: `task.result@1` → `TaskResultV1`. */
export function schemaIdentityName(schema: string): string {
  const [name, version] = schema.split('@');
  return `${pascalCase(name)}V${version}`;
}

/** The name of a handler's result schema in the OpenAPI document: `core/task.result@1` → `CoreTaskResultV1`. */
export function resultSchemaName(namespace: string, schema: string): string {
  return `${pascalCase(namespace)}${schemaIdentityName(schema)}`;
}

/**
 * Declares a provider as the persistence handler of (namespace, schema). Any module may declare
 * one; the registry finds it at boot, and two handlers for one key stop the application.
 */
export function PersistenceHandler(options: PersistenceHandlerOptions): ClassDecorator {
  if (!NAMESPACE.test(options.namespace) || !SCHEMA_IDENTITY.test(options.schema)) {
    throw new Error(`Invalid persistence handler key ${options.namespace}/${options.schema}: expected e.g. core/task.result@1`);
  }
  return applyDecorators(Injectable(), SetMetadata(PERSISTENCE_HANDLER, options));
}

/** Thrown by a handler (or for an invalid result) when retrying cannot help: dead-letter at once. */
export class PermanentPersistenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentPersistenceError';
  }
}
