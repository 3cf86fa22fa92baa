import { SetMetadata, Type } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';

const DOCUMENT_CONTRIBUTION = 'agent-ledger:document-contribution';

/**
 * What a controller adds to the OpenAPI document beyond its routes, from what the application is
 * made of: e.g. the outbox publishes the result schema of every persistence handler, which the
 * modules that declare them bring. Both functions get the classes of every provider of the app
 * (read from their metadata only: the document is also built without instantiating anything).
 */
export interface DocumentContribution {
  /** Classes whose schemas the document must carry (named after the class). */
  models?: (providers: Type[]) => Type[];
  /** Completes the document once it is built. */
  complete?: (document: OpenAPIObject, providers: Type[]) => OpenAPIObject;
}

/** Declares what a controller contributes to the document (see DocumentContribution). */
export function ContributesToDocument(contribution: DocumentContribution): ClassDecorator {
  return SetMetadata(DOCUMENT_CONTRIBUTION, contribution);
}

/** The contributions of the app's controllers, and the classes of its providers. */
export function documentContributions(app: INestApplication): { contributions: DocumentContribution[]; providers: Type[] } {
  const modules = [...app.get(ModulesContainer).values()];
  const classes = (wrappers: Iterable<{ metatype: unknown }>) =>
    [...wrappers].flatMap(({ metatype }) => (typeof metatype === 'function' ? [metatype as Type] : []));
  const controllers = [...new Set(modules.flatMap((module) => classes(module.controllers.values())))];
  const providers = [...new Set(modules.flatMap((module) => classes(module.providers.values())))];
  const contributions = controllers.flatMap((controller) => (Reflect.getMetadata(DOCUMENT_CONTRIBUTION, controller) as DocumentContribution | undefined) ?? []);
  return { contributions, providers };
}
