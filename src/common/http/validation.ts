import { applyDecorators, ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { ClassConstructor, plainToInstance, Transform } from 'class-transformer';
import { IsNumber, Max, Min, validate, ValidateIf } from 'class-validator';
import { FieldError, ValidationFailedError } from '../errors';
import { cacheValidationMetadata } from './validation-metadata-cache';
import { accepted, keepAsSent } from './validated-at-once';

// Every validation of the app goes through this module (the global pipe, validateBody).
cacheValidationMetadata();

/** Flattens class-validator's tree into `{ field: 'items.3.name', message }` entries. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      field,
      message: message.replace(/^property (\S+) should not exist$/, `${field} is not a known field`),
    }));
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/**
 * Checks a plain object against a DTO the way the global pipe checks a body (unknown fields
 * refused): the DTO instance, or every problem found.
 */
export async function validateBody<T extends object>(type: ClassConstructor<T>, plain: object): Promise<Validated<T>> {
  const valid = accepted(type, plain);
  return valid ? { ok: true, value: valid } : validateThroughLibraries(type, plain);
}

/** validateBody's way for what `accepted` does not take: class-transformer, then class-validator, which words every refusal. */
export async function validateThroughLibraries<T extends object>(type: ClassConstructor<T>, plain: object): Promise<Validated<T>> {
  const instance = plainToInstance(type, plain);
  const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: true });
  return errors.length === 0 ? { ok: true, value: instance } : { ok: false, errors: flattenValidationErrors(errors) };
}

/**
 * Nest's pipe, minus its search for binary values (Buffers, typed arrays) in nested objects: what
 * it validates here is parsed JSON, a query string or a path, which never hold one, and the search
 * read class-validator's metadata once more for every request.
 *
 * A valid DTO is built and checked at once (see `accepted`); whatever that does not accept takes
 * Nest's way, which refuses it with every problem named. The prototype keys Nest's way strips never
 * reach a pipe here: the body parser and the query check refuse them (see safe-json.ts).
 */
class JsonValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const type = metadata.metatype;
    const valid = type && metadata.type !== 'custom' ? accepted(type as ClassConstructor<object>, value) : undefined;
    return valid ?? super.transform(value, metadata);
  }

  protected override findNestedBinaryValues(): ValidationError[] {
    return [];
  }
}

export function createValidationPipe(): ValidationPipe {
  return new JsonValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationFailedError(flattenValidationErrors(errors)),
  });
}

/**
 * Like `@IsOptional()`, but only an absent field skips validation: an explicit `null` is checked
 * by the field's other validators and refused, for columns that cannot hold null.
 */
export function IsOptionalNotNull(): PropertyDecorator {
  return ValidateIf((_object: object, value: unknown) => value !== undefined);
}

/**
 * For free-form JSON fields (metadata, input, content, ...): the value exactly as parsed. Without
 * it class-transformer rebuilds nested objects and silently drops keys named like members of
 * Object.prototype (`toString`, `valueOf`, ...), so the stored data would differ from what was
 * sent and acknowledged. (`constructor` and `prototype` never get here: see safe-json.ts.)
 */
export function JsonAsSent(): PropertyDecorator {
  return Transform(keepAsSent, { toClassOnly: true });
}

/** The longest duration a body may report: about 24.8 days, in milliseconds. */
export const MAX_MILLISECONDS = 2_147_483_647;

/** A duration or response time in milliseconds, fractions kept (150.5): a finite number from 0 to MAX_MILLISECONDS. */
export function IsMilliseconds(): PropertyDecorator {
  return applyDecorators(IsNumber({ allowNaN: false, allowInfinity: false }), Min(0), Max(MAX_MILLISECONDS));
}
