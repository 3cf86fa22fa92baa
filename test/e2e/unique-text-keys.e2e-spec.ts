import { randomUUID } from 'node:crypto';
import { expectFieldErrors, expectProblem, expectRefusedUnchanged } from '../utils/problems';
import { waitForServiceCall } from '../utils/service-calls';
import { useTwoTenants } from '../utils/test-app';

/** Spellings of "café" that look alike: only the first two are the same text (canonically equivalent). */
const CAFE = {
  composed: 'caf\u00e9',
  decomposed: 'cafe\u0301',
  zeroWidthSpace: 'caf\u200b\u00e9',
  fullWidth: '\uff43\uff41\uff46\u00e9',
  softHyphen: 'ca\u00adf\u00e9',
  bidiOverride: '\u202ecaf\u00e9',
  noBreakSpace: 'caf\u00e9\u00a0',
};
const LOOK_ALIKES = [CAFE.zeroWidthSpace, CAFE.fullWidth, CAFE.softHyphen, CAFE.bidiOverride, CAFE.noBreakSpace];

describe('unique text keys: one key per spelling that looks the same', () => {
  const suite = useTwoTenants();
  const post = (path: string, body: object) => suite.t.http().post(`/api/v1${path}`).set(suite.tenant.auth).send(body);
  const get = (path: string) => suite.t.http().get(`/api/v1${path}`).set(suite.tenant.auth);
  const rows = (sql: string) => suite.db.query<Record<string, unknown>[]>(sql, [suite.tenant.tenantId]);

  it('makes the spellings of "café" one pattern trigger or a 400 naming the field, never several rows', async () => {
    const created = await post('/patterns', { trigger: CAFE.composed, steps: [{ tool: 'menu' }] }).expect(201);
    expect(created.body.trigger).toBe(CAFE.composed);
    expectProblem(await post('/patterns', { trigger: CAFE.decomposed, steps: [] }), 409, 'PATTERN_TRIGGER_TAKEN');
    const patterns = () => rows('SELECT trigger FROM patterns WHERE tenant_id = $1');
    for (const trigger of LOOK_ALIKES) {
      const res = await expectRefusedUnchanged(() => post('/patterns', { trigger, steps: [] }), 400, patterns, ['trigger']);
      expect(res.body.errors[0].message, JSON.stringify(trigger)).toMatch(/invisible or control character|compatibility character/);
    }
    // A bulk request names the item.
    const bulk = await post('/patterns/bulk', {
      items: [
        { trigger: 'tea', steps: [] },
        { trigger: CAFE.fullWidth, steps: [] },
      ],
    });
    expectFieldErrors(bulk, ['items.1.trigger']);
    expect(bulk.body.errors[0].message).toContain('U+FF43');
    expect(await patterns()).toEqual([{ trigger: CAFE.composed }]);
  });

  it('counts a pattern@1 result whose trigger is the decomposed spelling as a use of the same pattern', async () => {
    const created = await post('/patterns', { trigger: CAFE.composed, steps: [] }).expect(201);
    const call = await post('/service-calls', {
      callId: randomUUID(),
      namespace: 'knowledge',
      schema: 'pattern@1',
      result: { trigger: CAFE.decomposed, steps: [{ tool: 'menu' }] },
    }).expect(202);
    await waitForServiceCall(suite.t, suite.tenant, call.body.id, 'persisted');
    expect(await rows('SELECT id, trigger, usage_count FROM patterns WHERE tenant_id = $1')).toEqual([
      { id: created.body.id, trigger: CAFE.composed, usage_count: 1 },
    ]);
  });

  it('keeps one integrated object per (platform, companyId, originalId) however they are spelled', async () => {
    const object = (key: { platform?: string; companyId?: string; originalId?: string }) => ({
      platform: 'zendesk',
      companyId: CAFE.composed,
      originalId: `${CAFE.composed}-48213`,
      objectType: 'ticket',
      originalData: { subject: 'Login fails' },
      ...key,
    });
    const created = await post('/integrated-objects', object({})).expect(201);
    // Canonically equivalent spellings reach the same object: 200, an update.
    const again = await post('/integrated-objects', object({ companyId: CAFE.decomposed, originalId: `${CAFE.decomposed}-48213` })).expect(200);
    expect(again.body).toMatchObject({ id: created.body.id, companyId: CAFE.composed, originalId: `${CAFE.composed}-48213` });
    const objects = () => rows('SELECT platform, company_id, original_id FROM integrated_objects WHERE tenant_id = $1');
    for (const spelling of LOOK_ALIKES) {
      for (const field of ['platform', 'companyId', 'originalId'] as const) {
        await expectRefusedUnchanged(() => post('/integrated-objects', object({ [field]: `${spelling}-zendesk` })), 400, objects, [field]);
      }
    }
    await expectRefusedUnchanged(() => post('/integrated-objects', object({ platform: '\uff5a\uff45\uff4e\uff44\uff45\uff53\uff4b' })), 400, objects, [
      'platform',
    ]);
    expect(await objects()).toHaveLength(1);

    // Lookups are normalised the same way, and refuse what no key can hold.
    const listed = await get(`/integrated-objects?companyId=${encodeURIComponent(CAFE.decomposed)}`).expect(200);
    expect(listed.body.items.map((item: { id: string }) => item.id)).toEqual([created.body.id]);
    expectFieldErrors(await get(`/integrated-objects?platform=${encodeURIComponent(CAFE.fullWidth)}`), ['platform']);
  });

  it('refuses an agent key in full-width letters, and finds an agent by any canonically equivalent spelling of its key', async () => {
    const agent = await post('/agents', { name: 'waiter', role: 'service', key: `${CAFE.composed}-waiter` }).expect(201);
    const byKey = await get(`/agents/by-key/${encodeURIComponent(`${CAFE.decomposed}-waiter`)}`).expect(200);
    expect(byKey.body.id).toBe(agent.body.id);
    const agents = () => rows('SELECT key FROM agents WHERE tenant_id = $1');
    for (const key of LOOK_ALIKES) {
      await expectRefusedUnchanged(() => post('/agents', { name: 'waiter', role: 'service', key: `${key}-waiter` }), 400, agents, ['key']);
    }
    expect(await agents()).toEqual([{ key: `${CAFE.composed}-waiter` }]);
  });
});
