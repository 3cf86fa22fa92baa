import fc from 'fast-check';
import { FuzzTargets, plausibleValue, tableFor } from './arbitraries';
import { FuzzHarness } from './fuzz-harness';
import { Operation, Schema } from './openapi';
import { parseBody, WireRequest, WireResponse } from './wire';

/** The top-level fields of a body schema by kind: free text, numbers, free-form JSON objects. */
export function fieldsOf(schema: Schema | undefined): { strings: string[]; numbers: string[]; objects: string[] } {
  const entries = Object.entries(schema?.properties ?? {});
  return {
    strings: entries.filter(([, field]) => field.type === 'string' && !field.enum && !field.format).map(([name]) => name),
    numbers: entries.filter(([, field]) => field.type === 'number' || field.type === 'integer').map(([name]) => name),
    objects: entries.filter(([, field]) => field.type === 'object' && !field.properties).map(([name]) => name),
  };
}

/** Operations that take a JSON body. */
export function bodyOperations(h: FuzzHarness): Operation[] {
  return h.operations.filter((operation) => operation.body?.properties);
}

/**
 * A well-formed request to `operation` on the caller's own rows: path ids of its rows, its key,
 * and for a versioned update the ETag of the resource read just before.
 */
export async function aim(h: FuzzHarness, operation: Operation, targets: FuzzTargets, query = ''): Promise<WireRequest> {
  const segments = operation.path.split('/');
  let resource = '';
  const path = segments.map((segment, i) => {
    const match = /^\{(.+)\}$/.exec(segment);
    if (!match) return segment;
    const ids = targets.own[tableFor(segments[i - 1], Object.keys(targets.own)) ?? tableFor(match[1], Object.keys(targets.own)) ?? ''] ?? [];
    // A caller-chosen key (agents by key) is a name, never a uuid.
    const id = match[1] === 'key' ? 'fuzz-probe-agent' : (ids[0] ?? '00000000-0000-4000-8000-000000000000');
    resource = [...segments.slice(0, i), id].join('/');
    return id;
  });
  const headers: Record<string, string> = { authorization: `Bearer ${h.tenant.key}`, 'content-type': 'application/json' };
  if (operation.parameters.some((parameter) => parameter.in === 'header' && parameter.name.toLowerCase() === 'if-match') && resource) {
    const read = await h.send({ method: 'GET', url: resource, headers: { authorization: headers.authorization } });
    if (typeof read.headers.etag === 'string') headers['if-match'] = read.headers.etag;
  }
  return { method: operation.method, url: path.join('/') + query, headers };
}

/** Fields a 400 names, or none. */
export function refusedFields(res: WireResponse): string[] {
  const body = parseBody(res) as { errors?: { field: string }[] } | undefined;
  return res.status === 400 ? (body?.errors ?? []).map((error) => error.field) : [];
}

let samples = 0;

interface Attempt {
  res: WireResponse;
  body: Record<string, unknown>;
}

/**
 * Sends `overrides` (a field set to the value under test) inside otherwise well-formed bodies,
 * drawn one after another until the API accepts one or refuses because of an overridden field:
 * so an answer is about the value under test, not about an unlucky unrelated field.
 */
export async function sendWithin(h: FuzzHarness, operation: Operation, overrides: Record<string, unknown>, raw?: (json: string) => string): Promise<Attempt> {
  const targets = { ...(await h.targets()), other: {} };
  // A new seed per call, the same from run to run: bodies differ between calls (unique fields), and a failure replays.
  // Enough bases that one passes the rules a body may break besides the field under test (a start time, a transition).
  const bases = fc.sample(plausibleValue(operation.body!, targets), { numRuns: 24, seed: ++samples }) as Record<string, unknown>[];
  let last: Attempt | undefined;
  for (const base of bases) {
    const body = { ...base, ...overrides };
    const json = JSON.stringify(body);
    const res = await h.send({ ...(await aim(h, operation, targets)), payload: raw ? raw(json) : json });
    last = { res, body };
    const fields = refusedFields(res);
    if (res.status < 300 || fields.some((field) => Object.keys(overrides).some((key) => field === key || field.startsWith(`${key}.`)))) return last;
    if (res.status === 413 || res.status === 415) return last;
  }
  return last!;
}
