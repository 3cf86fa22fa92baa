import { makeServiceCall } from '../factories/service-call.factory';
import { deployedQueries, metricNamesIn } from '../utils/deploy-queries';
import { useTwoTenants } from '../utils/test-app';

/** Series Prometheus itself adds to every scrape, not served by /metrics. */
const PROMETHEUS_SERIES = new Set(['up']);

describe('the alerts and the dashboard read what /metrics serves', () => {
  const suite = useTwoTenants();

  it('every metric they name is in a scrape of a booted app that has received and persisted a result', async () => {
    const { t, tenant } = suite;
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
  });
});
