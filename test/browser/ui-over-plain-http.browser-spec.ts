import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ApiKeysService } from '../../src/common/auth/api-keys.service';
import { BROWSER_HOST, launchBrowser } from '../utils/browser';
import { createTestApp, TestApp } from '../utils/test-app';

/**
 * The two UIs as an operator opens them: plain HTTP, a host name that is not loopback (where a
 * browser honours https upgrades and refuses mixed content), a real browser.
 */
describe('Bull Board and the API docs over plain HTTP on a host name', () => {
  let t: TestApp;
  let browser: Browser;
  let origin: string;
  let adminKey: string;
  const adminTenant = `ops-${process.pid}`;

  beforeAll(async () => {
    [t, browser] = await Promise.all([
      createTestApp({ QUEUE_PREFIX: `browser-${process.pid}`, APP_ROLE: 'api', ADMIN_TENANTS: adminTenant, LOG_LEVEL: 'silent' }),
      launchBrowser(),
    ]);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.getHttpServer().address() as { port: number };
    origin = `http://${BROWSER_HOST}:${port}`;
    adminKey = (await t.app.get(ApiKeysService).create(adminTenant, 'operator')).key;
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** Opens `path` and records every URL the page requested and every request that failed. */
  async function open(context: BrowserContext, path: string): Promise<{ page: Page; requested: string[]; failed: string[] }> {
    const page = await context.newPage();
    const requested: string[] = [];
    const failed: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    page.on('requestfailed', (request) => failed.push(`${request.url()} (${request.failure()?.errorText})`));
    const response = await page.goto(`${origin}${path}`, { waitUntil: 'domcontentloaded' });
    expect(response?.status()).toBe(200);
    return { page, requested, failed };
  }

  function expectOnlyOwnOrigin(requested: string[], failed: string[]): void {
    expect(requested.length).toBeGreaterThan(1);
    expect(requested.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith('data:'))).toEqual([]);
    expect(failed).toEqual([]);
  }

  it('renders the queue board, listing the outbox queue (its failed jobs are the dead letters), and asks no other host for anything', async () => {
    const context = await browser.newContext({ httpCredentials: { username: 'admin', password: adminKey } });
    try {
      const { page, requested, failed } = await open(context, '/admin/queues');
      await page.getByText('persistence').first().waitFor({ timeout: 20_000 });
      const text = await page.locator('body').innerText();
      expect(text).toMatch(/\bpersistence\b/);
      expectOnlyOwnOrigin(requested, failed);
    } finally {
      await context.close();
    }
  });

  it('renders the API docs with every operation of the OpenAPI document, and asks no other host for anything', async () => {
    const document = (await t.http().get('/docs-json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.values(document.paths).reduce((sum, item) => sum + Object.keys(item).length, 0);
    const context = await browser.newContext();
    try {
      const { page, requested, failed } = await open(context, '/docs');
      await page.locator('.opblock').first().waitFor({ timeout: 20_000 });
      expect(await page.locator('.opblock').count()).toBe(operations);
      expect(await page.locator('.opblock-summary-path', { hasText: '/api/v1/agents' }).count()).toBeGreaterThan(0);
      expectOnlyOwnOrigin(requested, failed);
    } finally {
      await context.close();
    }
  });
});
