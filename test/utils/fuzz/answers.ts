import { parseBody, WireRequest, WireResponse } from './wire';

/**
 * Every status the API may answer a request with, however hostile the request. The one place
 * to widen when the API learns a new answer (429 once rate limiting answers fuzzed traffic).
 * 403: the admin routes (`/api/v1/admin/…`) refuse the key of a tenant that is not an admin.
 */
export const ALLOWED_STATUSES: ReadonlySet<number> = new Set([200, 201, 202, 204, 400, 401, 403, 404, 409, 413, 414, 415, 422, 428]);

/** A status below 500 from the allowed set; every error is problem+json whose status matches the answer's. */
export function expectCleanAnswer(res: WireResponse): void {
  expect(res.status, `status ${res.status}: ${res.text.slice(0, 500)}`).toBeLessThan(500);
  expect(ALLOWED_STATUSES.has(res.status), `status ${res.status} is not an answer of this API: ${res.text.slice(0, 500)}`).toBe(true);
  if (res.status < 300) return;
  expect(String(res.headers['content-type']), res.text.slice(0, 500)).toMatch(/^application\/problem\+json/);
  const body = parseBody(res) as Record<string, unknown> | undefined;
  expect(body, `an error body that is not JSON: ${res.text.slice(0, 500)}`).toBeTypeOf('object');
  expect(body).toMatchObject({
    type: expect.stringMatching(/^\S+$/),
    title: expect.stringMatching(/\S/),
    status: res.status,
    code: expect.stringMatching(/^[A-Z_]+$/),
    correlationId: res.headers['x-request-id'],
  });
  expect(res.text).not.toMatch(/node_modules|\.ts:\d+|\.js:\d+|\\n\s+at |SELECT |INSERT INTO|UPDATE "|DELETE FROM/);
}

/** What identifies another tenant's data in an answer. */
export class ForeignData {
  /** Ids of the other tenant's rows that the caller itself has sent, so may see echoed or stored as data. */
  private readonly mentioned = new Set<string>();

  constructor(
    readonly tenantId: string,
    /** A string written into the other tenant's rows and never sent by the generated requests. */
    readonly marker: string,
    readonly ids: ReadonlySet<string>,
  ) {}

  /** Call before sending: the foreign ids this request names become the caller's own knowledge. */
  noteSent(request: WireRequest): void {
    const sent = `${request.url}\n${request.payload ?? ''}\n${Object.values(request.headers).join('\n')}`;
    for (const id of uuidsIn(sent)) if (this.ids.has(id)) this.mentioned.add(id);
  }

  /**
   * The answer holds none of the other tenant's rows: not its tenant id or marker, no id of its
   * rows the caller has not sent itself (an echo, or a reference the caller stored), and never one
   * of its rows as the resource or a list item.
   */
  expectAbsentFrom(res: WireResponse): void {
    expect(res.text).not.toContain(this.marker);
    expect(res.text).not.toContain(JSON.stringify(this.tenantId));
    const leaked = uuidsIn(res.text).filter((id) => this.ids.has(id) && !this.mentioned.has(id));
    expect(leaked, `ids of another tenant's rows in: ${res.text.slice(0, 500)}`).toEqual([]);
    if (res.status >= 300) return;
    const body = parseBody(res) as { id?: unknown; items?: { id?: unknown }[] } | undefined;
    const rows = [body, ...(Array.isArray(body?.items) ? body.items : [])];
    for (const row of rows) {
      if (row && typeof row === 'object' && typeof row.id === 'string')
        expect(this.ids.has(row.id.toLowerCase()), `another tenant's row ${row.id}`).toBe(false);
    }
  }
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

function uuidsIn(text: string): string[] {
  return (text.match(UUID) ?? []).map((id) => id.toLowerCase());
}
