import { OutboxGauges } from '../../src/modules/outbox/outbox.gauges';
import { makeServiceCall } from '../factories/service-call.factory';
import { insertServiceCallRow } from '../factories/service-call-row.factory';
import { deployedQueries, metricNamesIn } from '../utils/deploy-queries';
import { useTwoTenants } from '../utils/test-app';

/** Series Prometheus itself adds to every scrape, not served by /metrics. */
const PROMETHEUS_SERIES = new Set(['up']);

describe('the alerts and the dashboard read what /metrics serves', () => {
  const suite = useTwoTenants();

  it('every metric they name is in a scrape of a booted app that has received and persisted a result', async () => {
    const { t, db, tenant } = suite;
    // A result still waiting, so that the backlog by tenant has a series (it has none while no tenant waits).
    await insertServiceCallRow(db, tenant.tenantId);
    await t.app.get(OutboxGauges).refresh();
    await t.http().post('/api/v1/service-calls').set(tenant.auth).send(makeServiceCall()).expect(202);
    let text = '';
    await expect
      .poll(
        async () => {
          text = (await t.http().get('/metrics').expect(200)).text;
          return /^persistence_intake_to_persisted_seconds_bucket\{/m.test(text);
        },
        { timeout: 20_000, interval: 200 },
      )
      .toBe(true);

    const served = new Set([...text.matchAll(/^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/gm)].map((match) => match[1]));
    const named = [...new Set(deployedQueries().flatMap(metricNamesIn))].filter((name) => !PROMETHEUS_SERIES.has(name));
    expect(named.length).toBeGreaterThan(5);
    expect(named.filter((name) => !served.has(name))).toEqual([]);
    await db.query(`DELETE FROM service_call_records WHERE tenant_id = $1`, [tenant.tenantId]);
  });
});
