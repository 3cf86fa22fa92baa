import { makeAgent } from '../factories/agent.factory';
import { createTenant, createTestApp } from '../utils/test-app';
it('probe', async () => {
  const t = await createTestApp({LOG_LEVEL: 'error'});
  const tenant = await createTenant(t.app);
  const show = (label: string, r: any) => console.log('PROBE', label, r.status, JSON.stringify(r.body).slice(0, 300));
  const { body: a } = await t.http().post('/api/v1/agents').set(tenant.auth).send(makeAgent());
  show('ifmatch-10', await t.http().patch(`/api/v1/agents/${a.id}`).set(tenant.auth).set('If-Match','"9999999999"').send({description:'x'}));
  show('desc-nul', await t.http().post('/api/v1/agents').set(tenant.auth).send(makeAgent({description: 'a\u0000b'})));
  show('meta-nul', await t.http().post('/api/v1/agents').set(tenant.auth).send(makeAgent({metadata: {k: 'a\u0000b'}})));
  for (const depth of [50, 100, 200, 1000, 3000]) {
    let deep: any = {}; let cur = deep; for (let i = 0; i < depth; i++) { cur.a = {}; cur = cur.a; }
    show('deep' + depth, await t.http().post('/api/v1/agents').set(tenant.auth).send(makeAgent({metadata: deep})));
  }
  await t.close();
});
