import fc from 'fast-check';
import { Operation, Schema } from './openapi';
import { IdsByTable } from './tenant-tables';
import { headerBytes, WireRequest } from './wire';

/** What generated requests may refer to: the caller's key and the ids of both tenants' rows. */
export interface FuzzTargets {
  key: string;
  own: IdsByTable;
  other: IdsByTable;
}

/** SQL meta-characters; the first five are the classics every filter must take literally. */
export const SQL_STRINGS = ["' OR '1'='1", "'; DROP TABLE agents; --", '%', '_', '\\', "1' OR 1=1 --", '" OR ""="', '$1', "'); SELECT pg_sleep(1); --"];
export const UNICODE_STRINGS = [
  'שלום עולם',
  'مرحبا بالعالم',
  '\u202Egnp.exe\u202C',
  '😀👩‍👩‍👧‍👦🏳️‍🌈',
  'e\u0301\u0302\u0303\u0304',
  'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇',
  '\uFEFFbom',
  'zero\u200Bwidth',
  '𝕏𝔸𝕄',
];
/** Strings PostgreSQL cannot store as sent: the API must refuse them, never answer 500. */
export const UNSTORABLE_STRINGS = ['a\u0000b', '\u0000', 'lone \ud800 high', 'lone \udc00 low', '\udfff\ud800'];
const KEYWORD_STRINGS = [
  '',
  ' ',
  'null',
  'undefined',
  'true',
  'NaN',
  'Infinity',
  '-Infinity',
  '-1',
  '0',
  '1e308',
  '18446744073709551616',
  '0x10',
  '__proto__',
  'constructor',
  'prototype',
];
const MARKUP_STRINGS = ['../../etc/passwd', '<script>alert(1)</script>', '${7*7}', '{{7*7}}', '%00', '%zz', 'a\r\nX-Injected: 1'];
/** Keys that mean something to JavaScript objects, the ORM or the API itself. */
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__'];
const SPECIAL_KEYS = [
  ...PROTOTYPE_KEYS,
  'tenantId',
  'tenant_id',
  'id',
  'version',
  'createdAt',
  'createdBy',
  '$where',
  '$gt',
  '',
  ' ',
  'a.b',
  'items',
  'status',
];

const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SQL_STRINGS, ...UNICODE_STRINGS, ...UNSTORABLE_STRINGS, ...KEYWORD_STRINGS, ...MARKUP_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.nat({ max: 12_000 }).map((length) => 'x'.repeat(length)) },
);

/** Numbers at and beyond every boundary a column or validator has. */
const EXTREME_NUMBERS = [
  -1,
  0,
  -0,
  0.5,
  -0.5,
  1.5,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31),
  -(2 ** 31) - 1,
  2 ** 53 + 2,
  2 ** 64,
  1e308,
  -1e308,
  5e-324,
  Number.MAX_SAFE_INTEGER,
];
const hostileNumber: fc.Arbitrary<number> = fc.oneof(fc.constantFrom(...EXTREME_NUMBERS), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));

const objectKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom(...SPECIAL_KEYS) },
  { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
);

/** A plain JSON object; `Object.fromEntries` keeps a `__proto__` key as an ordinary own key. */
const jsonObject = (key: fc.Arbitrary<string>, maxDepth: number): fc.Arbitrary<Record<string, unknown>> =>
  fc.array(fc.tuple(key, fc.jsonValue({ maxDepth })), { maxLength: 4 }).map((entries) => Object.fromEntries(entries));

/** JSON nested deeper than the API allows (32 levels), as objects or arrays. */
const deeplyNested: fc.Arbitrary<unknown> = fc.tuple(fc.integer({ min: 30, max: 80 }), fc.boolean()).map(([depth, arrays]) => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = arrays ? [value] : { a: value };
  return value;
});

/** A value of the wrong type, size or shape for whatever field it lands in. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 3, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.constantFrom(true, false, null) },
  { weight: 1, arbitrary: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }) },
  { weight: 2, arbitrary: jsonObject(objectKey, 2) },
  { weight: 1, arbitrary: deeplyNested },
);

/**
 * The table whose rows a field or path segment names: `agentId`, `fromAgentId` → agents,
 * `service-calls` → service_call_records; undefined when nothing matches (any id will do).
 */
export function tableFor(name: string, tables: string[]): string | undefined {
  const words = name
    .replace(/Ids?$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/-/g, '_');
  for (const candidate of [words, words.split('_').pop()!]) {
    const singular = candidate.replace(/s$/, '');
    const match = tables.find((table) => table === candidate || table === `${singular}s`) ?? tables.find((table) => table.startsWith(`${singular}_`));
    if (match) return match;
  }
  return undefined;
}

/** fc.oneof over the options whose weight is above zero (a plausible request weighs hostile options 0). */
function weighted<T>(...options: { weight: number; arbitrary: fc.Arbitrary<T> }[]): fc.Arbitrary<T> {
  const kept = options.filter((option) => option.weight > 0);
  return kept.length === 1 ? kept[0].arbitrary : fc.oneof(...kept);
}

/** How a request is generated: plausible (what a client with a bug or a stale id sends) or hostile (anything). */
interface Style {
  targets: FuzzTargets;
  hostile: boolean;
}

function idArbitrary(table: string | undefined, targets: FuzzTargets): fc.Arbitrary<string> {
  const pick = (ids: string[] | undefined, weight: number) => (ids && ids.length > 0 ? [{ weight, arbitrary: fc.constantFrom(...ids) }] : []);
  const allOwn = Object.values(targets.own).flat();
  const allOther = Object.values(targets.other).flat();
  return fc.oneof(
    ...pick(table ? targets.own[table] : allOwn, 8),
    ...pick(allOwn, 2),
    ...pick(table ? targets.other[table] : allOther, 3),
    ...pick(allOther, 1),
    { weight: 1, arbitrary: fc.uuid() },
  );
}

const MIN_DATE = new Date('1970-01-01T00:00:00Z');
const MAX_DATE = new Date('2100-01-01T00:00:00Z');
const isoDate = fc.date({ min: MIN_DATE, max: MAX_DATE, noInvalidDate: true }).map((date) => date.toISOString());

/** A value the schema allows: what a well-behaved client would send (nested objects follow the style). */
function wellFormed(schema: Schema, name: string, style: Style): fc.Arbitrary<unknown> {
  const tables = Object.keys(style.targets.own);
  const orNull = (arbitrary: fc.Arbitrary<unknown>) =>
    schema.nullable ? fc.oneof({ weight: 5, arbitrary }, { weight: 1, arbitrary: fc.constant(null) }) : arbitrary;
  if (schema.enum) return orNull(fc.constantFrom(...schema.enum));
  switch (schema.type) {
    case 'string': {
      if (schema.format === 'uuid') return orNull(idArbitrary(tableFor(name, tables), style.targets));
      if (schema.format === 'date-time' || /At$|^since$|^until$/.test(name)) return orNull(isoDate);
      const text = fc.string({ minLength: schema.minLength ?? 1, maxLength: Math.min(schema.maxLength ?? 40, 40) });
      return orNull(schema.example === undefined ? text : fc.oneof(fc.constant(schema.example), text));
    }
    case 'number':
    case 'integer': {
      const min = Math.max(schema.minimum ?? -1_000_000, -1_000_000);
      const max = Math.min(schema.maximum ?? 1_000_000, 1_000_000);
      const bounds = [schema.minimum, schema.maximum].filter((bound): bound is number => bound !== undefined);
      const integers = fc.integer({ min: Math.ceil(min), max: Math.floor(max) });
      return orNull(bounds.length > 0 ? fc.oneof({ weight: 4, arbitrary: integers }, { weight: 1, arbitrary: fc.constantFrom(...bounds) }) : integers);
    }
    case 'boolean':
      return orNull(fc.boolean());
    case 'array': {
      const items = schema.items ? wellFormed(schema.items, name, style) : fc.jsonValue({ maxDepth: 2 });
      const minLength = schema.minItems ?? 0;
      return orNull(fc.array(items, { minLength, maxLength: Math.max(minLength, Math.min(schema.maxItems ?? 3, 3)) }));
    }
    case 'object':
      return orNull(schema.properties ? shapedBody(schema, style) : jsonObject(style.hostile ? objectKey : fc.string({ maxLength: 12 }), 3));
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Well-formed values of a schema, as a client without bugs would send them. */
export function plausibleValue(schema: Schema, targets: FuzzTargets): fc.Arbitrary<unknown> {
  return wellFormed(schema, 'body', { targets, hostile: false });
}

type Field = [string, unknown] | undefined;

/**
 * A body shaped like the schema. Hostile, its fields are mutated: each may be well-formed, of
 * the wrong type or size, or missing, and keys the schema does not know may be added.
 */
function shapedBody(schema: Schema, style: Style): fc.Arbitrary<unknown> {
  const fields = Object.entries(schema.properties ?? {}).map(([key, property]) => {
    const required = schema.required?.includes(key) ?? false;
    return weighted(
      { weight: required ? 14 : 6, arbitrary: wellFormed(property, key, style).map((value): Field => [key, value]) },
      { weight: style.hostile ? 2 : 0, arbitrary: hostileValue.map((value): Field => [key, value]) },
      { weight: required ? (style.hostile ? 1 : 0) : 6, arbitrary: fc.constant<Field>(undefined) },
    );
  });
  const extras = weighted(
    { weight: 6, arbitrary: fc.constant<[string, unknown][]>([]) },
    { weight: style.hostile ? 1 : 0, arbitrary: fc.array(fc.tuple(objectKey, hostileValue), { minLength: 1, maxLength: 2 }) },
  );
  return fc
    .tuple(fc.tuple(...fields), extras)
    .map(([present, extra]) => Object.fromEntries([...present.filter((field): field is [string, unknown] => field !== undefined), ...extra]));
}

const MALFORMED_BODIES = [
  '{',
  '{"a":',
  '',
  'null',
  '[]',
  '"text"',
  '1',
  'true',
  '{"a":1}{"b":2}',
  '{"a":1,}',
  "{'a':1}",
  'NaN',
  '{"a":NaN}',
  '{"a":1e400}',
  '\uFEFF{}',
  '{"__proto__":{"polluted":1}}',
  '{"constructor":{"prototype":{"polluted":1}}}',
];

function bodyArbitrary(operation: Operation, style: Style): fc.Arbitrary<string | undefined> {
  const json = (arbitrary: fc.Arbitrary<unknown>) => arbitrary.map((value) => JSON.stringify(value));
  const hostile = style.hostile ? 1 : 0;
  const malformed = fc.oneof(fc.constantFrom(...MALFORMED_BODIES), fc.string({ maxLength: 30 }));
  if (!operation.body) {
    return weighted(
      { weight: 8, arbitrary: fc.constant(undefined) },
      { weight: hostile, arbitrary: json(fc.jsonValue()) },
      { weight: hostile, arbitrary: malformed },
    );
  }
  return weighted(
    { weight: 12, arbitrary: json(wellFormed(operation.body, 'body', style)) },
    { weight: 2 * hostile, arbitrary: json(fc.jsonValue({ maxDepth: 3 })) },
    { weight: hostile, arbitrary: malformed },
    { weight: hostile, arbitrary: fc.constant(undefined) },
  );
}

/** Percent-encodes for a URL; a lone surrogate (not encodable) becomes U+FFFD first. */
export function encode(value: string): string {
  return encodeURIComponent(value.toWellFormed());
}

const RAW_PATH_GARBAGE = ['%zz', '%', '..', '%2e%2e', '..%2F..%2Fetc', '%00', '%C3%28', '%ED%A0%80', 'a'.repeat(150)];

function pathValue(name: string, segment: string, style: Style): fc.Arbitrary<string> {
  const tables = Object.keys(style.targets.own);
  const table = tableFor(segment, tables) ?? tableFor(name, tables);
  const hostile = style.hostile ? 1 : 0;
  return weighted(
    { weight: 10, arbitrary: idArbitrary(table, style.targets).map(encode) },
    { weight: hostile, arbitrary: fc.uuid().map((id) => encode(id.toUpperCase())) },
    { weight: 2 * hostile, arbitrary: hostileString.map(encode) },
    { weight: hostile, arbitrary: fc.constantFrom(...RAW_PATH_GARBAGE) },
  );
}

function queryValue(schema: Schema, name: string, style: Style): fc.Arbitrary<string> {
  const hostile = style.hostile ? 1 : 0;
  return weighted(
    { weight: 4, arbitrary: wellFormed({ ...schema, nullable: false }, name, style).map(String) },
    { weight: 2 * hostile, arbitrary: hostileString },
    { weight: hostile, arbitrary: hostileNumber.map(String) },
  );
}

const RAW_QUERY_GARBAGE = [
  '%zz',
  '&&',
  '=',
  'a[b]=1',
  '__proto__[polluted]=1',
  'constructor[prototype][polluted]=1',
  '__proto__=x',
  'limit',
  'limit=',
  '%00=1',
];

function queryArbitrary(operation: Operation, style: Style): fc.Arbitrary<string> {
  const hostile = style.hostile ? 1 : 0;
  const none = fc.constant<[string, string][]>([]);
  const pairs = operation.parameters
    .filter((parameter) => parameter.in === 'query')
    .map((parameter) =>
      weighted(
        { weight: parameter.required ? 0 : 3, arbitrary: none },
        {
          weight: parameter.required || hostile ? 4 : 2,
          arbitrary: queryValue(parameter.schema, parameter.name, style).map((value): [string, string][] => [[parameter.name, value]]),
        },
        // The same parameter twice arrives as an array.
        {
          weight: hostile,
          arbitrary: fc
            .array(queryValue(parameter.schema, parameter.name, style), { minLength: 2, maxLength: 3 })
            .map((values) => values.map((value): [string, string] => [parameter.name, value])),
        },
      ),
    );
  const unknown = weighted(
    { weight: 8, arbitrary: none },
    { weight: hostile, arbitrary: fc.array(fc.tuple(objectKey, hostileString), { minLength: 1, maxLength: 2 }) },
  );
  const raw = weighted(
    { weight: 12, arbitrary: fc.constant<string[]>([]) },
    { weight: hostile, arbitrary: fc.array(fc.constantFrom(...RAW_QUERY_GARBAGE), { minLength: 1, maxLength: 2 }) },
  );
  return fc.tuple(fc.tuple(...pairs), unknown, raw).map(([knownPairs, unknownPairs, rawParts]) => {
    const parts = [...knownPairs.flat(), ...unknownPairs].map(([key, value]) => `${encode(key)}=${encode(value)}`);
    const query = [...parts, ...rawParts].join('&');
    return query ? `?${query}` : '';
  });
}

/** A header value as a client could send it: no control characters, UTF-8 as bytes. */
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const headerValue = hostileString.map((value) => headerBytes(value).replace(/[\x00-\x08\x0a-\x1f\x7f]/g, ''));

const IF_MATCH_VALUES = ['"1"', '"2"', '"3"', 'W/"1"', '*', '"0"', '"-1"', '"abc"', '""', '1', '"99999999999"', '"2147483648"', '"1", "2"', ' "1" '];
const CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/JSON',
  'application/json; charset=latin1',
  'application/problem+json',
  'application/xml',
  'application/json;;',
  '',
];

function headersArbitrary(operation: Operation, style: Style, hasBody: boolean): fc.Arbitrary<Record<string, string>> {
  const { key } = style.targets;
  const hostile = style.hostile ? 1 : 0;
  const bogusAuthorization = fc.oneof(
    fc.constantFrom(
      'Bearer',
      'Bearer ',
      'Bearer alk_nope',
      'Basic dXNlcjpwYXNz',
      `Bearer ${key}x`,
      `Bearer ${key.slice(0, -1)}`,
      `Bearer ${key} extra`,
      `Token ${key}`,
    ),
    headerValue.map((value) => `Bearer ${value}`),
  );
  const auth = weighted<Record<string, string>>(
    { weight: 14, arbitrary: fc.constant({ authorization: `Bearer ${key}` }) },
    { weight: 1, arbitrary: fc.constant({ 'x-api-key': key }) },
    { weight: hostile, arbitrary: fc.constant({}) },
    { weight: hostile, arbitrary: bogusAuthorization.map((authorization) => ({ authorization })) },
    { weight: hostile, arbitrary: headerValue.map((value) => ({ 'x-api-key': value })) },
  );
  /** Present in one request out of `oneIn`. */
  const sometimes = (arbitrary: fc.Arbitrary<string>, oneIn: number) =>
    fc.oneof({ weight: oneIn - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });
  const takesIfMatch = operation.parameters.some((parameter) => parameter.in === 'header' && parameter.name.toLowerCase() === 'if-match');
  const actor = weighted(
    { weight: 3, arbitrary: fc.constantFrom('planner-7', 'agent:researcher/1') },
    { weight: 3 * hostile, arbitrary: fc.oneof(fc.constantFrom('a'.repeat(201), ' leading', "'; DROP TABLE agents; --"), headerValue) },
  );
  const ifMatch = weighted(
    { weight: 3, arbitrary: fc.constantFrom('"1"', '"2"', '"3"', 'W/"1"') },
    { weight: 3 * hostile, arbitrary: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...IF_MATCH_VALUES) }, { weight: 1, arbitrary: headerValue }) },
  );
  const contentType = weighted<string | undefined>(
    { weight: 14, arbitrary: fc.constant('application/json') },
    { weight: 1, arbitrary: fc.constant('application/json; charset=utf-8') },
    { weight: 2 * hostile, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
    { weight: hostile, arbitrary: fc.constant(undefined) },
  );
  return fc
    .record({
      auth,
      actor: sometimes(actor, 4),
      ifMatch: sometimes(ifMatch, takesIfMatch ? 2 : 8),
      contentType,
      requestId: sometimes(style.hostile ? headerValue : fc.uuid(), 10),
    })
    .map(({ auth, actor, ifMatch, contentType, requestId }) => {
      const headers: Record<string, string> = { ...auth };
      if (actor !== undefined) headers['x-actor-id'] = actor;
      if (ifMatch !== undefined) headers['if-match'] = ifMatch;
      if (hasBody && contentType !== undefined) headers['content-type'] = contentType;
      if (requestId !== undefined) headers['x-request-id'] = requestId;
      return headers;
    });
}

function styledRequest(operation: Operation, style: Style): fc.Arbitrary<WireRequest> {
  const segments = operation.path.split('/');
  const pathParts = segments.map((segment, i) => {
    const match = /^\{(.+)\}$/.exec(segment);
    return match ? pathValue(match[1], segments[i - 1] ?? '', style) : fc.constant(segment);
  });
  return fc
    .tuple(fc.tuple(...pathParts), queryArbitrary(operation, style), bodyArbitrary(operation, style))
    .chain(([path, query, payload]) =>
      headersArbitrary(operation, style, payload !== undefined).map((headers) =>
        printable({ method: operation.method, url: path.join('/') + query, headers, ...(payload === undefined ? {} : { payload }) }),
      ),
    );
}

/**
 * Requests for one operation, from plausible (well-formed, with ids of both tenants' rows) to
 * hostile (path, query, headers and body all mutated).
 */
export function requestArbitrary(operation: Operation, targets: FuzzTargets): fc.Arbitrary<WireRequest> {
  return fc.oneof(
    { weight: 2, arbitrary: styledRequest(operation, { targets, hostile: false }) },
    { weight: 3, arbitrary: styledRequest(operation, { targets, hostile: true }) },
  );
}

/** Counterexamples print as JSON with long strings cut short, so a failure report stays readable. */
function printable(request: WireRequest): WireRequest {
  const text = () =>
    JSON.stringify(request, (_key, value) => (typeof value === 'string' && value.length > 300 ? `${value.slice(0, 100)}…(${value.length} characters)` : value));
  return Object.defineProperty(request, fc.toStringMethod, { value: text, enumerable: false });
}
