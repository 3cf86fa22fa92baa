import { createTenant, createTestApp, TestApp, TestTenant, useTwoTenants } from '../utils/test-app';

const LOG_LEVEL = process.env.DEBUG_LOG_LEVEL ?? 'silent';
const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/** An insight about crawling whose content is `content`. */
const insight = (summary: string, content: string) => ({ summary, domain: 'ops', confidence: 0.5, content });

describe('the size of a search answer', () => {
  const suite = useTwoTenants();
  const post = (path: string, body: object) => suite.t.http().post(`/api/v1${path}`).set(suite.tenant.auth).send(body);
  const search = (query: string) => suite.t.http().get(`/api/v1/insights/search?${query}`).set(suite.tenant.auth);

  it('answers highlights and sizes, not whole documents, even for 200 matches of the largest documents', async () => {
    // 24 insights of 100,000 characters (the most one may hold), matching at the start and at the end.
    const body = 'crawler backoff ' + 'lorem ipsum dolor sit amet '.repeat(3700);
    const content = (body + ' jitter').slice(-100_000);
    const items = Array.from({ length: 24 }, (_, i) => insight(`Crawler ${i}`, content));
    await post('/insights/bulk', { items }).expect(201);

    const res = await search('q=crawler&limit=200').expect(200);
    expect(res.body.items).toHaveLength(24);
    for (const item of res.body.items) {
      expect(item).not.toHaveProperty('content');
      expect(item).not.toHaveProperty('contentTruncated');
      expect(item.contentBytes).toBe(bytes(content));
      expect(item.highlight).toMatch(/<b>crawler<\/b>/i);
    }
    // 2.4 MB of content matched; the answer is a few kilobytes.
    expect(res.text.length).toBeLessThan(48 * 1024);

    // Asked for content: whole while the 1 MiB budget lasts, then cut, then none; never more than the budget.
    const full = await search('q=crawler&limit=200&includeContent=true').expect(200);
    const contents = full.body.items.map((item: { content: string }) => item.content);
    const sent = contents.reduce((sum: number, text: string) => sum + bytes(text), 0);
    expect(sent).toBe(1024 * 1024);
    expect(full.text.length).toBeLessThan(1024 * 1024 + 48 * 1024);
    const whole = Math.floor((1024 * 1024) / bytes(content));
    expect(
      full.body.items.slice(0, whole).every((item: { content: string; contentTruncated: boolean }) => item.content === content && !item.contentTruncated),
    ).toBe(true);
    expect(full.body.items[whole]).toMatchObject({ contentTruncated: true });
    expect(content.startsWith(full.body.items[whole].content)).toBe(true);
    expect(full.body.items.slice(whole + 1).every((item: { content: string; contentTruncated: boolean }) => item.content === '' && item.contentTruncated)).toBe(
      true,
    );
  }, 60_000);

  it('refuses an includeContent that is not true or false', async () => {
    const res = await search('q=crawler&includeContent=yes');
    expect(res.status).toBe(400);
    expect(res.body.errors.map((error: { field: string }) => error.field)).toEqual(['includeContent']);
  });

  describe('with a small SEARCH_CONTENT_LIMIT_BYTES', () => {
    let t: TestApp;
    let tenant: TestTenant;
    beforeAll(async () => {
      t = await createTestApp({ LOG_LEVEL, SEARCH_CONTENT_LIMIT_BYTES: '1000' });
      tenant = await createTenant(t.app);
    });
    afterAll(() => t.close());

    it('cuts the content at the budget on a character boundary, in rank order', async () => {
      // Multi-byte characters (3 and 2 bytes), 460 to 600 bytes each; the best match first (the term more often).
      const best = 'search '.repeat(10) + '検'.repeat(200 - 70);
      const next = 'search ' + '索'.repeat(200 - 7);
      const last = 'search ' + 'é'.repeat(296);
      for (const content of [best, next, last]) {
        await t.http().post('/api/v1/insights').set(tenant.auth).send(insight('Search', content)).expect(201);
      }
      const res = await t.http().get('/api/v1/insights/search?q=search&includeContent=true').set(tenant.auth).expect(200);
      const items = res.body.items as { content: string; contentTruncated: boolean; contentBytes: number }[];
      expect(items.map((item) => item.contentBytes)).toEqual([bytes(best), bytes(next), bytes(last)]);
      expect(items[0]).toMatchObject({ content: best, contentTruncated: false });
      expect(items[1].contentTruncated).toBe(true);
      expect(next.startsWith(items[1].content)).toBe(true);
      expect(bytes(items[1].content)).toBeLessThanOrEqual(1000 - bytes(best));
      expect(bytes(items[1].content)).toBeGreaterThan(1000 - bytes(best) - 3);
      expect(items[2]).toMatchObject({ content: '', contentTruncated: true });
    });
  });
});
