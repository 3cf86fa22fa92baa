import { ClassConstructor, TypeHelpOptions } from 'class-transformer';
import { defaultOptions } from 'class-transformer/cjs/constants/default-options.constant';
import { defaultMetadataStorage as transformerStorage } from 'class-transformer/cjs/storage';
import { getMetadataStorage, ValidationArguments, ValidationTypes } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import { cacheValidationMetadata } from './validation-metadata-cache';

// Plans are kept per list of rules, which the cache keeps per class.
cacheValidationMetadata();

/** class-transformer's code for "plain to class" (its enum is not exported from the package root). */
const PLAIN_TO_CLASS = 0;
/** The options `plainToInstance` without options hands its transformations. */
const TRANSFORM_OPTIONS = { ...defaultOptions };

/**
 * The transformation `@JsonAsSent()` declares: the value exactly as parsed. Named, so that the
 * check below knows it for the identity it is.
 */
export function keepAsSent({ obj, key }: { obj: Record<string, unknown>; key: string }): unknown {
  return obj[key];
}

type Validate = (value: unknown, args: ValidationArguments) => unknown;
type TransformFn = (params: { value: unknown; key: string; obj: object; type: number; options: object }) => unknown;

interface Rule {
  validators: Validate[];
  each: boolean;
  constraints: unknown[];
  validateIf?: (object: object, value: unknown) => boolean;
}

interface Property {
  name: string;
  /** `@IsOptional()`, `@ValidateIf()`: the property is checked only when all of them hold. */
  conditions: Array<(object: object, value: unknown) => boolean>;
  rules: Rule[];
  /** How class-transformer builds the property's value: as parsed, copied, or as instances of a DTO (`@Type`). */
  value: 'asSent' | 'copied' | { typeOf: (options: TypeHelpOptions) => unknown };
  /** The `@Transform()`s applied to a copied value, in order (a key's normalisation, say). */
  transforms: TransformFn[];
}

interface Plan {
  properties: Property[];
  byName: Map<string, Property>;
}

interface ValidatorStorage {
  getTargetValidationMetadatas(target: object, schema: string | undefined, always: boolean, strictGroups: boolean, groups?: string[]): ValidationMetadata[];
  getTargetValidatorConstraints(target: object): Array<{ async: boolean; instance: { validate: Validate } }>;
}

const UNSUPPORTED = Symbol('unsupported');
const MODELLED = new Set<string>([
  ValidationTypes.CUSTOM_VALIDATION,
  ValidationTypes.IS_DEFINED,
  ValidationTypes.CONDITIONAL_VALIDATION,
  ValidationTypes.NESTED_VALIDATION,
]);
/** The plan of each class, kept as long as the rules it was made from (the metadata cache hands out a new list when rules are declared). */
const plans = new WeakMap<object, Plan | null>();

function rulesOf(type: object): ValidationMetadata[] {
  return (getMetadataStorage() as unknown as ValidatorStorage).getTargetValidationMetadatas(type, undefined, false, false, undefined);
}

function planOf(type: ClassConstructor<object>): Plan | null {
  const rules = rulesOf(type);
  let plan = plans.get(rules);
  if (plan === undefined) plans.set(rules, (plan = makePlan(type, rules)));
  return plan;
}

/** The property's plan, or null when it holds something the check does not model. */
function propertyPlan(type: ClassConstructor<object>, name: string, rules: ValidationMetadata[]): Property | null {
  if (!rules.every((rule) => MODELLED.has(rule.type) && !(rule.groups?.length > 0))) return null;
  if (name in type.prototype || transformerStorage.findExposeMetadata(type, name) || transformerStorage.findExcludeMetadata(type, name)) return null;
  const transforms = transformerStorage.findTransformMetadatas(type, name, PLAIN_TO_CLASS);
  const typed = transformerStorage.findTypeMetadata(type, name);
  const nested = rules.some((rule) => rule.type === ValidationTypes.NESTED_VALIDATION);
  const asSent = transforms.length === 1 && transforms[0].transformFn === keepAsSent;
  if (
    transforms.some(
      (transform) => (transform.options?.groups?.length ?? 0) > 0 || transform.options?.since !== undefined || transform.options?.until !== undefined,
    )
  )
    return null;
  if (typed && (!nested || typed.options?.discriminator || transforms.length > 0)) return null;
  if (nested && !typed) return null;
  const storage = getMetadataStorage() as unknown as ValidatorStorage;
  const checked = rules.filter((rule) => rule.type === ValidationTypes.CUSTOM_VALIDATION || rule.type === ValidationTypes.IS_DEFINED);
  const ruleList = checked.map((rule) => ({
    validators: storage.getTargetValidatorConstraints(rule.constraintCls).map((constraint) => constraint.instance.validate.bind(constraint.instance)),
    each: rule.each,
    constraints: rule.constraints,
    validateIf: (rule as { validateIf?: (object: object, value: unknown) => boolean }).validateIf,
  }));
  return {
    name,
    conditions: rules
      .filter((rule) => rule.type === ValidationTypes.CONDITIONAL_VALIDATION)
      .map((rule) => rule.constraints[0] as Property['conditions'][number]),
    rules: ruleList,
    value: typed ? { typeOf: typed.typeFunction } : asSent ? 'asSent' : 'copied',
    transforms: asSent ? [] : transforms.map((transform) => transform.transformFn as TransformFn),
  };
}

function makePlan(type: ClassConstructor<object>, rules: ValidationMetadata[]): Plan | null {
  if (rules.length === 0 || transformerStorage.getExposedMetadatas(type).length > 0 || transformerStorage.getExcludedMetadatas(type).length > 0) return null;
  const grouped = new Map<string, ValidationMetadata[]>();
  for (const rule of rules) grouped.set(rule.propertyName, [...(grouped.get(rule.propertyName) ?? []), rule]);
  const properties: Property[] = [];
  for (const [name, ofProperty] of grouped) {
    const property = propertyPlan(type, name, ofProperty);
    if (!property) return null;
    properties.push(property);
  }
  return { properties, byName: new Map(properties.map((property) => [property.name, property])) };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

function isScalar(value: unknown): boolean {
  return value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** What class-transformer makes of a parsed value, where that is known without its walk. */
function built(property: Property, value: unknown, instance: object, plain: object): unknown {
  if (property.value === 'asSent') return value;
  if (property.value === 'copied') {
    const copy = isScalar(value) ? value : Array.isArray(value) && value.every(isScalar) ? value.slice() : UNSUPPORTED;
    if (copy === UNSUPPORTED) return copy;
    return property.transforms.reduce<unknown>(
      (current, transform) => transform({ value: current, key: property.name, obj: plain, type: PLAIN_TO_CLASS, options: TRANSFORM_OPTIONS }),
      copy,
    );
  }
  const type = property.value.typeOf({ newObject: instance, object: plain, property: property.name }) as ClassConstructor<object>;
  if (isPlainObject(value)) return accepted(type, value) ?? UNSUPPORTED;
  if (!Array.isArray(value)) return UNSUPPORTED;
  const items: object[] = [];
  for (const item of value) {
    const instanceOfItem = accepted(type, item);
    if (!instanceOfItem) return UNSUPPORTED;
    items.push(instanceOfItem);
  }
  return items;
}

function holds(property: Property, instance: object): boolean {
  const value = (instance as Record<string, unknown>)[property.name];
  // class-validator evaluates every condition; they are pure, so the first false one decides.
  for (const condition of property.conditions) if (!condition(instance, value)) return true;
  for (const rule of property.rules) {
    if (rule.validateIf && !rule.validateIf(instance, value)) continue;
    const args: ValidationArguments = {
      targetName: instance.constructor.name,
      property: property.name,
      object: instance,
      value,
      constraints: rule.constraints,
    };
    const values = rule.each && Array.isArray(value) ? value : [value];
    for (const validate of rule.validators) {
      for (const one of values) {
        const valid = validate(one, args);
        // A promise is an asynchronous rule: not modelled here.
        if (!valid || typeof (valid as { then?: unknown }).then === 'function') return false;
      }
    }
  }
  return true;
}

/**
 * The DTO instance that `plainToInstance(type, plain)` builds, when class-validator would find it
 * valid (with `whitelist` and `forbidNonWhitelisted`, as the app validates); otherwise `undefined`,
 * and the caller takes the full way through both libraries, which words every refusal.
 *
 * Both libraries walk their metadata anew for every object; this runs, for each property, the very
 * validator functions class-validator registered, with its arguments and in its order, from a plan
 * made once per class. It models what the app's DTOs use: the built-in and registered validators,
 * `@IsOptional`/`@ValidateIf`, `@Transform`s of scalars (a key's normalisation), nested DTOs
 * (`@ValidateNested` with `@Type`) and `@JsonAsSent`. Anything else (groups, versions, asynchronous
 * rules, `@Expose`/`@Exclude`, a nested object without a type, a value that is neither a scalar
 * nor an array of scalars) makes it answer `undefined`: it only ever accepts what both libraries
 * would accept, as the same instance.
 */
export function accepted<T extends object>(type: ClassConstructor<T>, plain: unknown): T | undefined {
  if (!isPlainObject(plain)) return undefined;
  const plan = planOf(type);
  if (!plan) return undefined;
  const instance = new type() as Record<string, unknown>;
  for (const key of Object.keys(plain)) {
    const property = plan.byName.get(key);
    if (!property) return undefined;
    const value = built(property, plain[key], instance, plain);
    if (value === UNSUPPORTED) return undefined;
    instance[key] = value;
  }
  // The whitelist is checked on the instance, as class-validator does (a constructor may set fields).
  for (const key of Object.keys(instance)) if (!plan.byName.has(key)) return undefined;
  for (const property of plan.properties) if (!holds(property, instance)) return undefined;
  return instance as T;
}
