import type { Response } from 'supertest';
import { DataSource } from 'typeorm';

/** The RFC 9457 body every error carries, with no stack trace or SQL in it; returns the body. */
export function expectProblem(res: Response, status: number, code: string): Record<string, unknown> {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.body as Record<string, unknown>;
  expect(body).toMatchObject({ status, code });
  expect(body.type).toMatch(/^urn:agent-ledger:problem:[a-z-]+$/);
  expect(typeof body.detail).toBe('string');
  expect(body.correlationId).toBe(res.headers['x-request-id']);
  const text = JSON.stringify(body);
  expect(text).not.toMatch(/node_modules|\.ts:\d+|\.js:\d+|\\n\s+at /);
  expect(text).not.toMatch(/SELECT|INSERT|UPDATE "|DELETE FROM/);
  return body;
}

/** The fields a problem names in `errors[]` (each once, sorted). */
export function problemFields(res: Response): string[] {
  return [...new Set(((res.body.errors ?? []) as { field: string }[]).map((error) => error.field))].sort();
}

/** A 400 VALIDATION_FAILED naming exactly these fields. */
export function expectFieldErrors(res: Response, fields: string[]): void {
  expectProblem(res, 400, 'VALIDATION_FAILED');
  expect(problemFields(res)).toEqual([...fields].sort());
}

/** A 422 naming exactly these fields as references the caller cannot see. */
export function expectUnknownReferences(res: Response, fields: string[]): void {
  expectProblem(res, 422, 'UNPROCESSABLE');
  expect(problemFields(res)).toEqual([...fields].sort());
}

/**
 * Two error answers that must not tell a foreign id from a missing one: same status, same
 * members, same wording once each id is blanked out.
 */
export function expectIndistinguishable(foreign: Response, foreignId: string, missing: Response, missingId: string): void {
  expect(foreign.status).toBe(missing.status);
  expect(foreign.headers['content-type']).toBe(missing.headers['content-type']);
  const normalise = (body: Record<string, unknown>, id: string) =>
    JSON.parse(
      JSON.stringify({ ...body, correlationId: undefined })
        .split(id)
        .join('<id>'),
    ) as Record<string, unknown>;
  expect(normalise(foreign.body, foreignId)).toEqual(normalise(missing.body, missingId));
}

/** Rows of a tenant in each table, for "this request changed nothing" checks. */
export async function countRows(dataSource: DataSource, tenantId: string, tables: string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const [row] = await dataSource.query(`SELECT count(*)::int AS n FROM ${table} WHERE tenant_id = $1`, [tenantId]);
    counts[table] = row.n;
  }
  return counts;
}

/** Runs `request` and checks that the tenant has as many rows in each table afterwards; returns the response. */
export async function changesNothing(dataSource: DataSource, tenantId: string, tables: string[], request: () => Promise<Response>): Promise<Response> {
  const before = await countRows(dataSource, tenantId, tables);
  const res = await request();
  expect(await countRows(dataSource, tenantId, tables)).toEqual(before);
  return res;
}

/**
 * Runs `request` and expects a problem+json refusal with `status` (naming exactly `fields`, when
 * given) after which `snapshot` (row counts, stored rows: what the request must not change) reads
 * the same as before; returns the response.
 */
export async function expectRefusedUnchanged(
  request: () => Promise<Response>,
  status: number,
  snapshot: () => Promise<unknown>,
  fields?: string[],
): Promise<Response> {
  const before = await snapshot();
  const res = await request();
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status });
  expect(typeof res.body.detail).toBe('string');
  if (fields) expect(new Set(res.body.errors.map((e: { field: string }) => e.field))).toEqual(new Set(fields));
  expect(await snapshot()).toEqual(before);
  return res;
}
