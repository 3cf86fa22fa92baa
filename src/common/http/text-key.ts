import { Transform } from 'class-transformer';
import { registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';

/**
 * Text that names something uniquely within a tenant (a pattern's trigger, an integrated object's
 * platform, original id and company, an agent's key) is compared as Unicode text, not as code
 * points: two spellings that look the same must be the same key, or one of them refused.
 *
 * - Canonically equivalent spellings (é as one code point or as e + combining accent) are one:
 *   the key is stored and looked up in NFC.
 * - Characters that do not show, or show as something else, are refused: controls (Cc), format
 *   characters (Cf: zero-width space and joiners, bidi controls, soft hyphen, BOM), line and
 *   paragraph separators (Zl, Zp).
 * - Compatibility characters, which NFKC would replace by what they look like (full-width and
 *   half-width forms, ligatures, super- and subscripts, non-breaking and other wide spaces), are
 *   refused rather than folded: what is stored is what was sent, and the client learns it at once.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

export const TEXT_KEY_RULE =
  'compared in Unicode NFC; control, format (zero-width, bidi) and compatibility characters (full-width letters, ligatures, non-breaking spaces) are refused';

/** The key as stored and looked up: NFC. Anything but a string is returned as it came, for the validators to refuse. */
export function normaliseTextKey(value: unknown): unknown {
  return typeof value === 'string' ? value.normalize('NFC') : value;
}

function codePoint(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Why `value` (already NFC) cannot be a key, or undefined when it can. */
export function textKeyProblem(value: string): string | undefined {
  const invisible = INVISIBLE.exec(value);
  if (invisible) return `contains an invisible or control character (${codePoint(invisible[0])})`;
  if (value.normalize('NFKC') === value) return undefined;
  const compatible = [...value].find((char) => char.normalize('NFKC') !== char);
  if (!compatible) return 'contains compatibility characters (NFKC would change it)';
  return `contains a compatibility character (${codePoint(compatible)} "${compatible}", which is written "${compatible.normalize('NFKC')}")`;
}

/**
 * `@IsTextKey()`: a unique text key (see above), NFC-normalised on the way in. Put it after
 * `@IsString()`: a value that is not a string is left to that validator.
 */
export function IsTextKey(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    Transform(({ value }) => normaliseTextKey(value), { toClassOnly: true })(target, propertyName);
    registerDecorator({
      name: 'isTextKey',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: ({ property, value }: ValidationArguments) => `${property} ${textKeyProblem(String(value)) ?? 'is not a valid key'}`,
        ...options,
      },
      validator: { validate: (value: unknown) => typeof value !== 'string' || textKeyProblem(value) === undefined },
    });
  };
}
