import { DataSource } from 'typeorm';
import { apiKeysCommand } from '../../src/cli/api-keys.command';
import { ApiKeyUsage } from '../../src/common/auth/api-key-usage';
import { ApiKeysService } from '../../src/common/auth/api-keys.service';
import { loadConfig } from '../../src/config';
import { freePort } from '../utils/server-process';
import { createTenant, createTestApp, TestApp, TestTenant } from '../utils/test-app';
import { waitFor } from '../utils/wait';

/**
 * Both app instances trust a verified key for a minute here: whatever makes them refuse a key
 * sooner (an expiry, a revocation announced over Redis) is what these tests are about.
 */
const CACHE_TTL_MS = '60000';
const PREFIX = `key-lifecycle-${process.pid}-${Date.now().toString(36)}`;
const ENV = { LOG_LEVEL: process.env.DEBUG_LOG_LEVEL ?? 'silent', APP_ROLE: 'api', QUEUE_PREFIX: PREFIX, API_KEY_CACHE_TTL_MS: CACHE_TTL_MS };

const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

describe('API key lifecycle', () => {
  let a: TestApp;
  let b: TestApp;
  let tenant: TestTenant;
  let keys: ApiKeysService;
  let db: DataSource;

  beforeAll(async () => {
    a = await createTestApp(ENV);
    b = await createTestApp(ENV);
    keys = a.app.get(ApiKeysService);
    db = a.owner;
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });
  beforeEach(async () => {
    tenant = await createTenant(a.app);
  });

  /** Runs `npm run cli -- api-keys ...` in this process, against the test database and Redis. */
  async function cli(args: string[], flags: Record<string, string> = {}, env: Record<string, string> = {}): Promise<{ code: number; lines: string[] }> {
    const lines: string[] = [];
    const config = loadConfig({ ...process.env, QUEUE_PREFIX: PREFIX, API_KEY_CACHE_TTL_MS: CACHE_TTL_MS, ...env });
    const code = await apiKeysCommand(db, args, flags, (line) => lines.push(line), config);
    return { code, lines };
  }

  const status = async (app: TestApp, key: string) => (await app.http().get('/api/v1/agents').set(bearer(key))).status;

  describe('expiry', () => {
    it('refuses a key once it has expired, even one the process has cached', async () => {
      const created = await keys.create(tenant.tenantId, 'short-lived', 1500);
      expect(await status(a, created.key)).toBe(200);
      const refused = await waitFor('the key to expire', async () => {
        const res = await a.http().get('/api/v1/agents').set(bearer(created.key));
        return res.status === 401 ? res : undefined;
      });
      expect(refused.body).toMatchObject({ code: 'UNAUTHENTICATED', detail: expect.stringMatching(/expired/) });
      // The tenant's other key is not affected.
      expect(await status(a, tenant.key)).toBe(200);
    });

    it('creates keys that expire with --expires-in, and refuses a malformed duration', async () => {
      const { code, lines } = await cli(['create'], { tenant: tenant.tenantId, name: 'temporary', 'expires-in': '30d' });
      expect(code).toBe(0);
      expect(lines[0]).toMatch(/expiring at \d{4}-\d\d-\d\dT/);
      const key = /alk_\S+/.exec(lines[1])![0];
      expect(await status(a, key)).toBe(200);
      const [row] = await db.query(`SELECT extract(epoch FROM expires_at - now()) AS seconds FROM api_keys WHERE tenant_id = $1 AND name = 'temporary'`, [
        tenant.tenantId,
      ]);
      expect(Number(row.seconds)).toBeGreaterThan(30 * 86_400 - 120);
      expect(Number(row.seconds)).toBeLessThanOrEqual(30 * 86_400);

      const bad = await cli(['create'], { tenant: tenant.tenantId, name: 'never', 'expires-in': 'soon' });
      expect(bad.code).toBe(2);
      expect(bad.lines[0]).toMatch(/--expires-in takes a duration/);
      const [count] = await db.query(`SELECT count(*)::int AS n FROM api_keys WHERE tenant_id = $1 AND name = 'never'`, [tenant.tenantId]);
      expect(count.n).toBe(0);
    });
  });

  describe('revocation', () => {
    it('reaches a second app instance at once, through Redis, while its cache would still trust the key', async () => {
      const created = await keys.create(tenant.tenantId, 'to-revoke');
      expect(await status(b, created.key)).toBe(200); // cached in b for a minute
      expect(await keys.revoke(created.id)).toBe(true);
      expect(await status(a, created.key)).toBe(401);
      await waitFor('the second instance to refuse the revoked key', async () => (await status(b, created.key)) === 401, 10_000);
      expect(await status(b, tenant.key)).toBe(200);
    });

    it('reaches running app instances from the command line, and says how many heard it', async () => {
      const created = await keys.create(tenant.tenantId, 'cli-revoke');
      expect(await status(a, created.key)).toBe(200);
      expect(await status(b, created.key)).toBe(200);
      const { code, lines } = await cli(['revoke', created.id]);
      expect(code).toBe(0);
      expect(lines).toEqual([`Revoked API key ${created.id}.`, 'Announced over Redis: 2 running process(es) dropped the key from their cache.']);
      for (const app of [a, b]) await waitFor('the instances to refuse the revoked key', async () => (await status(app, created.key)) === 401, 10_000);
    });

    it('says, when the command line cannot reach Redis, for how long running processes may still accept the key', async () => {
      const created = await keys.create(tenant.tenantId, 'no-redis');
      const { code, lines } = await cli(['revoke', created.id], {}, { REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
      expect(code).toBe(0);
      expect(lines[0]).toBe(`Revoked API key ${created.id}.`);
      expect(lines[1]).toMatch(/^Could not reach Redis at 127\.0\.0\.1:\d+: running processes may still accept the key for up to 60 s/);
      const [row] = await db.query('SELECT revoked_at FROM api_keys WHERE id = $1', [created.id]);
      expect(row.revoked_at).toBeInstanceOf(Date);
    });
  });

  describe('rotation', () => {
    it('gives a new key; both work during the grace period, then only the new one', async () => {
      const old = await keys.create(tenant.tenantId, 'planner');
      expect(await status(b, old.key)).toBe(200); // cached in b, with no expiry yet
      const { code, lines } = await cli(['rotate', old.id], { grace: '3s' });
      expect(code).toBe(0);
      const fresh = /alk_\S+/.exec(lines[1])![0];
      expect(lines[2]).toMatch(new RegExp(`^The old key ${old.id} keeps working until \\d{4}-`));
      expect(lines[3]).toBe('Announced over Redis: 2 running process(es) dropped the key from their cache.');

      for (const app of [a, b]) {
        expect(await status(app, fresh)).toBe(200);
        expect(await status(app, old.key)).toBe(200);
      }
      const created = await a.http().post('/api/v1/agents').set(bearer(fresh)).send({ name: 'n', role: 'r' }).expect(201);
      expect(created.body.createdBy).toBe('planner'); // same tenant, same name
      await b.http().get(`/api/v1/agents/${created.body.id}`).set(bearer(old.key)).expect(200);

      for (const app of [a, b]) await waitFor('the old key to expire', async () => (await status(app, old.key)) === 401);
      expect(await status(b, fresh)).toBe(200);
    });

    it('refuses to rotate a revoked or unknown key, and keeps an earlier expiry of the old key', async () => {
      const revoked = await keys.create(tenant.tenantId, 'gone');
      await keys.revoke(revoked.id);
      expect(await keys.rotate(revoked.id, 60_000)).toBeUndefined();
      expect((await cli(['rotate', '0190f2d4-0000-7000-8000-000000000000'])).code).toBe(1);

      const expiring = await keys.create(tenant.tenantId, 'soon', 60_000);
      const rotated = await keys.rotate(expiring.id, 86_400_000);
      expect(rotated!.oldKeyExpiresAt.getTime()).toBe(expiring.expiresAt!.getTime());
    });
  });

  describe('last use', () => {
    it('records when a key was last used, once a minute per process, off the request path', async () => {
      const created = await keys.create(tenant.tenantId, 'worker');
      const lastUsed = async () => (await db.query('SELECT last_used_at FROM api_keys WHERE id = $1', [created.id]))[0].last_used_at as Date | null;
      expect(await lastUsed()).toBeNull();

      const before = Date.now();
      expect(await status(a, created.key)).toBe(200);
      const first = await waitFor('last_used_at to be written', lastUsed);
      expect(first.getTime()).toBeGreaterThanOrEqual(before - 5000);

      // More uses within the minute write nothing more.
      for (let i = 0; i < 5; i++) expect(await status(a, created.key)).toBe(200);
      await a.app.get(ApiKeyUsage).flush();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect((await lastUsed())!.getTime()).toBe(first.getTime());
    });

    it('lists prefix, last use, expiry and revocation, never the key', async () => {
      const used = await keys.create(tenant.tenantId, 'used');
      await status(a, used.key);
      await waitFor('last_used_at', async () => (await db.query('SELECT last_used_at FROM api_keys WHERE id = $1', [used.id]))[0].last_used_at);
      const expiring = await keys.create(tenant.tenantId, 'expiring', 86_400_000);
      const revoked = await keys.create(tenant.tenantId, 'revoked');
      await keys.revoke(revoked.id);

      const { code, lines } = await cli(['list'], { tenant: tenant.tenantId });
      expect(code).toBe(0);
      expect(lines[0].split('\t')).toEqual(['id', 'tenant', 'name', 'prefix', 'created', 'last used', 'expires', 'revoked', 'actor']);
      const row = (id: string) => lines.find((line) => line.startsWith(id))!.split('\t');
      const iso = /^\d{4}-\d\d-\d\dT[\d:.]+Z$/;
      expect(row(used.id)[3]).toBe(`${used.keyPrefix}…`);
      expect(row(used.id).slice(5)).toEqual([expect.stringMatching(iso), '-', '-', 'X-Actor-Id']);
      expect(row(expiring.id).slice(5)).toEqual(['-', expiring.expiresAt!.toISOString(), '-', 'X-Actor-Id']);
      expect(row(revoked.id).slice(5)).toEqual(['-', '-', expect.stringMatching(iso), 'X-Actor-Id']);
      for (const key of [used.key, expiring.key, revoked.key, tenant.key]) expect(lines.join('\n')).not.toContain(key);
    });
  });
});
