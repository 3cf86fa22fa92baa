import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { ApiKeysService } from '../../src/common/auth/api-keys.service';
import { createTenant, createTestApp, TestApp, TestTenant } from '../utils/test-app';
import { waitFor } from '../utils/wait';

/** Bull Board at /admin/queues: every route under it needs an API key of an admin tenant. */
describe('queue admin UI (Bull Board)', () => {
  let t: TestApp;
  let tenant: TestTenant;
  let admin: { key: string };
  let queue: Queue;
  const adminTenant = `ops-${process.pid}`;

  beforeAll(async () => {
    t = await createTestApp({ QUEUE_PREFIX: `board-${process.pid}`, APP_ROLE: 'api', ADMIN_TENANTS: `${adminTenant},other-admins` });
    tenant = await createTenant(t.app, 'operator');
    admin = await t.app.get(ApiKeysService).create(adminTenant, 'operator');
    queue = t.app.get<Queue>(getQueueToken('persistence'));
  });
  afterAll(() => t.close());

  const basic = (key: string) => `Basic ${Buffer.from(`admin:${key}`).toString('base64')}`;

  it('refuses the page, its API, its actions and its assets without a key, even percent-encoded', async () => {
    for (const path of [
      '/admin/queues',
      '/admin/queues/api/queues',
      '/admin/%71ueues/api/queues',
      '/admin/queues/%61pi/queues',
      '/admin/queues/static/css/main.css',
    ]) {
      const res = await t.http().get(path);
      expect(res.status, path).toBe(401);
      expect(res.headers['www-authenticate'], path).toMatch(/^Basic /);
    }
    const pause = await t.http().put('/admin/queues/api/queues/persistence/pause');
    expect(pause.status).toBe(401);
    expect(await queue.isPaused()).toBe(false);
    const wrong = await t.http().put('/admin/queues/api/queues/persistence/pause').set('Authorization', basic('alk_not-a-key'));
    expect(wrong.status).toBe(401);
    expect(await queue.isPaused()).toBe(false);
  });

  it('refuses an ordinary tenant’s valid key (403): the board shows every tenant’s jobs', async () => {
    for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
      const res = await t.http().get(path).set('Authorization', basic(tenant.key));
      expect(res.status, path).toBe(403);
      expect(res.headers['content-type'], path).toMatch(/^application\/problem\+json/);
      expect(res.body.code, path).toBe('FORBIDDEN');
    }
    await t.http().put('/admin/queues/api/queues/persistence/pause').set(tenant.auth).expect(403);
    expect(await queue.isPaused()).toBe(false);
  });

  it('serves the board to a browser that sends an admin key as the Basic-auth password, and its actions work', async () => {
    const page = await t.http().get('/admin/queues').set('Authorization', basic(admin.key));
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<html/i);
    const api = await t.http().get('/admin/queues/api/queues').set('Authorization', basic(admin.key)).expect(200);
    expect(api.body.queues.map((q: { name: string }) => q.name).sort()).toEqual(['persistence']);
    await t.http().put('/admin/queues/api/queues/persistence/pause').set('Authorization', basic(admin.key)).expect(200);
    expect(await queue.isPaused()).toBe(true);
    await t.http().put('/admin/queues/api/queues/persistence/resume').set('X-API-Key', admin.key).expect(200);
    expect(await queue.isPaused()).toBe(false);
  });

  it('an api process enqueues but never processes', async () => {
    // A schema no process handles: only this process's own processing could change the record.
    const accepted = await t
      .http()
      .post('/api/v1/service-calls')
      .set(tenant.auth)
      .send({ callId: `api-only-${Date.now()}`, namespace: 'core', schema: 'board.only@1', result: { name: 'n', role: 'r' } })
      .expect(202);
    const wakeUps = async () => (await queue.getJobs(['waiting'])).filter((job) => job.name === 'persistence.drain');
    await waitFor('the wake-up job', async () => (await wakeUps()).length === 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await wakeUps()).toHaveLength(1);
    const record = await t.http().get(`/api/v1/service-calls/${accepted.body.id}`).set(tenant.auth).expect(200);
    expect(record.body.status).toBe('pending');
    await queue.obliterate({ force: true });
  });
});

describe('a worker process', () => {
  it('serves health and metrics only', async () => {
    const t = await createTestApp({ QUEUE_PREFIX: `worker-${process.pid}`, APP_ROLE: 'worker' });
    try {
      const tenant = await createTenant(t.app);
      await t.http().get('/health/live').expect(200);
      await t.http().get('/metrics').expect(200);
      const res = await t.http().get('/api/v1/agents').set(tenant.auth).expect(404);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
      await t.http().post('/api/v1/service-calls').set(tenant.auth).send({}).expect(404);
      await t.http().get('/admin/queues').expect(404);
    } finally {
      await t.close();
    }
  });
});
