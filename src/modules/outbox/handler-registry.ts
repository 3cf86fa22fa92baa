import { Injectable, Logger, OnModuleInit, Type } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { FieldError } from '../../common/errors';
import { validateBody } from '../../common/http/validation';
import { handlerOptionsOf, PermanentPersistenceError, PersistenceHandlerContract, PersistenceHandlerOptions, resultSchemaName } from './persistence-handler';

export interface ResolvedHandler {
  /** `namespace/schema` of the handler (its namespace may be `core` for a fallback). */
  identity: string;
  options: PersistenceHandlerOptions;
  handler: PersistenceHandlerContract;
}

/** A handler as `GET /handlers` lists it. */
export interface RegisteredHandler {
  identity: string;
  namespace: string;
  schema: string;
  persistMany: boolean;
  validatesResult: boolean;
  /** The name of its result schema in the OpenAPI document; null when it takes any result. */
  resultSchema: string | null;
}

/**
 * Every `@PersistenceHandler` provider of the application, found at boot. Resolution: the exact
 * (namespace, schema), then ('core', schema); none means the result is skipped.
 */
@Injectable()
export class HandlerRegistry implements OnModuleInit {
  private readonly logger = new Logger(HandlerRegistry.name);
  private readonly handlers = new Map<string, ResolvedHandler & { className: string }>();

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      if (!wrapper.metatype || !wrapper.instance) continue;
      const options = handlerOptionsOf(wrapper.metatype as Type);
      if (!options) continue;
      const identity = `${options.namespace}/${options.schema}`;
      const existing = this.handlers.get(identity);
      const className = (wrapper.metatype as { name: string }).name;
      if (existing && existing.handler !== wrapper.instance) {
        throw new Error(`Two persistence handlers for ${identity}: ${existing.className} and ${className}. Keep one.`);
      }
      this.handlers.set(identity, { identity, options, handler: wrapper.instance as PersistenceHandlerContract, className });
    }
    this.logger.log(`Persistence handlers: ${[...this.handlers.keys()].sort().join(', ') || 'none'}`);
  }

  resolve(namespace: string, schema: string): ResolvedHandler | undefined {
    return this.handlers.get(`${namespace}/${schema}`) ?? this.handlers.get(`core/${schema}`);
  }

  identities(): string[] {
    return [...this.handlers.keys()].sort();
  }

  /** Every registered handler, sorted by identity, with whether it writes a batch at once. */
  list(): RegisteredHandler[] {
    return [...this.handlers.values()]
      .sort((a, b) => a.identity.localeCompare(b.identity))
      .map(({ identity, options, handler }) => ({
        identity,
        namespace: options.namespace,
        schema: options.schema,
        persistMany: typeof (handler as { persistMany?: unknown }).persistMany === 'function',
        validatesResult: options.resultType !== undefined,
        resultSchema: options.resultType ? resultSchemaName(options.namespace, options.schema) : null,
      }));
  }

  /** What is wrong with the result for this handler (fields relative to the result); empty when it fits. */
  async problems(resolved: ResolvedHandler, result: unknown): Promise<FieldError[]> {
    return (await this.check(resolved, result)).problems;
  }

  /** The result as the handler's DTO, or an InvalidResultError naming every problem. */
  async validate(resolved: ResolvedHandler, result: unknown): Promise<unknown> {
    const { value, problems } = await this.check(resolved, result);
    if (problems.length > 0) throw new InvalidResultError(resolved.options.schema, problems);
    return value;
  }

  /** The result checked against the handler's result type: as its DTO when it fits, and what is wrong otherwise. */
  private async check(resolved: ResolvedHandler, result: unknown): Promise<{ value: unknown; problems: FieldError[] }> {
    const { resultType } = resolved.options;
    if (!resultType) return { value: result, problems: [] };
    if (typeof result !== 'object' || result === null || Array.isArray(result))
      return { value: result, problems: [{ field: '', message: 'expected an object' }] };
    const checked = await validateBody(resultType, result);
    return checked.ok ? { value: checked.value, problems: [] } : { value: result, problems: checked.errors };
  }
}

/** The dead-letter reason of a result that does not match its handler's schema. */
export function invalidResultReason(schema: string, problems: FieldError[]): string {
  return `result does not match ${schema}: ${problems.map((problem) => problem.message).join('; ')}`;
}

/** A result that does not match its handler's schema, found by the drain: its message is the reason the intake gives. */
export class InvalidResultError extends PermanentPersistenceError {
  constructor(schema: string, problems: FieldError[]) {
    super(invalidResultReason(schema, problems));
    this.name = 'InvalidResultError';
  }
}
