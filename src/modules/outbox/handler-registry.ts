import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { validateBody } from '../../common/http/validation';
import {
  PERSISTENCE_HANDLER,
  PermanentPersistenceError,
  PersistenceHandlerContract,
  PersistenceHandlerOptions,
} from './persistence-handler';

export interface ResolvedHandler {
  /** `namespace/schema` of the handler (its namespace may be `core` for a fallback). */
  identity: string;
  options: PersistenceHandlerOptions;
  handler: PersistenceHandlerContract;
}

/**
 * Every `@PersistenceHandler` provider of the application, found at boot. Resolution: the exact
 * (namespace, schema), then ('core', schema); none means the result is skipped.
 */
@Injectable()
export class HandlerRegistry implements OnModuleInit {
  private readonly logger = new Logger(HandlerRegistry.name);
  private readonly handlers = new Map<string, ResolvedHandler & { className: string }>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      if (!wrapper.metatype || !wrapper.instance) continue;
      const options = this.reflector.get<PersistenceHandlerOptions | undefined>(PERSISTENCE_HANDLER, wrapper.metatype);
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

  /** The result as the handler's DTO, or a PermanentPersistenceError naming every problem. */
  async validate(resolved: ResolvedHandler, result: unknown): Promise<unknown> {
    const { resultType, schema } = resolved.options;
    if (!resultType) return result;
    if (typeof result !== 'object' || result === null || Array.isArray(result)) {
      throw new PermanentPersistenceError(`result does not match ${schema}: expected an object`);
    }
    const checked = await validateBody(resultType, result);
    if (!checked.ok) {
      const problems = checked.errors.map((error) => error.message);
      throw new PermanentPersistenceError(`result does not match ${schema}: ${problems.join('; ')}`);
    }
    return checked.value;
  }
}
