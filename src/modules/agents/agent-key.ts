import { PipeTransform } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { isUUID, registerDecorator, ValidationOptions } from 'class-validator';
import { ValidationFailedError } from '../../common/errors';
import { normaliseTextKey, textKeyProblem } from '../../common/http/text-key';

export const MAX_AGENT_KEY_LENGTH = 200;

/**
 * What an agent key may hold once NFC-normalised: letters and digits of any script, `_ . : -`.
 * Marks that did not compose, spaces, invisible or format characters (zero-width space, bidi
 * controls…) and compatibility forms (full-width letters, ligatures: see text-key.ts) are
 * refused, so two keys that look the same are the same key.
 */
const AGENT_KEY = /^[\p{L}\p{N}_.:-]+$/u;

export const AGENT_KEY_RULE =
  'letters, digits, "_", ".", ":" and "-" only (NFC-normalised, no compatibility forms such as full-width letters, at most 200 characters), never shaped like a uuid';

/** The key as stored: NFC-normalised. Anything else is returned as it came, for the validators to refuse. */
export const normaliseAgentKey = normaliseTextKey;

/** Whether `value` (already normalised) is a valid agent key. */
export function isAgentKey(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= MAX_AGENT_KEY_LENGTH &&
    AGENT_KEY.test(value) &&
    textKeyProblem(value) === undefined &&
    !isUUID(value)
  );
}

/** A reference to an agent in a body: its id (a uuid) or its key. */
export function isAgentReference(value: unknown): value is string {
  return isUUID(value) || isAgentKey(normaliseAgentKey(value));
}

/** `@IsAgentKey()`: an agent key (normalised to NFC on the way in). */
export function IsAgentKey(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    Transform(({ value }) => normaliseAgentKey(value), { toClassOnly: true })(target, propertyName);
    registerDecorator({
      name: 'isAgentKey',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `$property must be an agent key: ${AGENT_KEY_RULE}`, ...options },
      validator: { validate: (value: unknown) => isAgentKey(value) },
    });
  };
}

/** `@IsAgentReference()`: an agent's id or its key (a key normalised to NFC on the way in). */
export function IsAgentReference(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    Transform(({ value }) => (isUUID(value) ? value : normaliseAgentKey(value)), { toClassOnly: true })(target, propertyName);
    registerDecorator({
      name: 'isAgentReference',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: '$property must be an agent id (uuid) or an agent key', ...options },
      validator: { validate: (value: unknown) => isAgentReference(value) },
    });
  };
}

/** `@Param('key', ParseAgentKeyPipe)`: a path key, NFC-normalised; anything else is a 400 naming the field. */
export const ParseAgentKeyPipe: PipeTransform<string, string> = {
  transform(value: string): string {
    const key = normaliseAgentKey(value);
    if (!isAgentKey(key)) throw new ValidationFailedError([{ field: 'key', message: `key must be an agent key: ${AGENT_KEY_RULE}` }]);
    return key;
  },
};
