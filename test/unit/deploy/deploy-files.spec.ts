import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { loadConfig } from '../../../src/config';
import { deployedQueries, metricNamesIn, readAlertRules, readDashboard } from '../../utils/deploy-queries';

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  restart?: string;
}

const composeText = readFileSync('docker-compose.yml', 'utf8');
const example = Object.fromEntries(
  readFileSync('.env.compose.example', 'utf8')
    .split('\n')
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);

/** Compose's `${VAR}`, `${VAR:-default}` and `${VAR:?message}` interpolation; a required variable left unset throws. */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(/\$\{([A-Z_]+)(?::([-?])([^}]*))?\}/g, (_, name: string, kind?: string, rest?: string) => {
    if (env[name] !== undefined && env[name] !== '') return env[name];
    if (kind === '?') throw new Error(`${name}: ${rest}`);
    return kind === '-' ? rest! : '';
  });
}

const compose = parse(interpolate(composeText, example), { merge: true }) as { services: Record<string, ComposeService>; volumes: Record<string, unknown> };

describe('docker-compose.yml', () => {
  it('declares app, worker, postgres and redis, each with a healthcheck', () => {
    for (const name of ['app', 'worker', 'postgres', 'redis']) {
      expect(compose.services[name], name).toBeDefined();
      expect(compose.services[name].healthcheck?.test.length, `${name} healthcheck`).toBeGreaterThan(0);
    }
  });

  it('builds one image once, which migrate, app and worker all run', () => {
    const ledger = ['migrate', 'app', 'worker'].map((name) => compose.services[name]);
    expect(new Set(ledger.map((service) => service.image))).toEqual(new Set(['agent-ledger:local']));
    expect(
      Object.entries(compose.services)
        .filter(([, service]) => service.build !== undefined)
        .map(([name]) => name),
    ).toEqual(['migrate']);
  });

  it('gives every service a restart policy', () => {
    for (const [name, service] of Object.entries(compose.services)) expect(service.restart, name).toMatch(/^(always|unless-stopped|on-failure(:\d+)?)$/);
  });

  it('bakes in no password: each comes from .env, and compose refuses to start without it', () => {
    const secrets = ['POSTGRES_PASSWORD', 'LEDGER_OWNER_PASSWORD', 'LEDGER_SERVICE_PASSWORD', 'REDIS_PASSWORD', 'METRICS_TOKEN'];
    for (const name of secrets) {
      expect(example[name], name).toMatch(/^CHANGE-ME/);
      expect(() => interpolate(composeText, { ...example, [name]: '' }), name).toThrow(name);
      expect(composeText, name).not.toContain(example[name]);
    }
    const raw = parse(composeText, { merge: true }) as { services: Record<string, ComposeService> };
    for (const [name, service] of Object.entries(raw.services)) {
      for (const [variable, value] of Object.entries(service.environment ?? {})) {
        if (/PASSWORD|TOKEN|SECRET/.test(variable)) expect(value, `${name}.${variable}`).toMatch(/^\$\{[A-Z_]+:\?/);
      }
      for (const value of Object.values(service.environment ?? {})) expect(String(value), name).not.toMatch(/:\/\/[^:/@]+:[^$@][^@]*@/);
    }
  });

  it('starts the app only after the database and Redis are healthy and migrations ran', () => {
    expect(compose.services.app.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
      migrate: { condition: 'service_completed_successfully' },
    });
    expect(compose.services.migrate.command).toContain('migration:run');
  });

  it('gives the app an environment that passes the boot-time validation, with auth on', () => {
    const env = compose.services.app.environment!;
    const production = { NODE_ENV: 'production' };
    const config = loadConfig({ ...production, ...env });
    expect(config.database).toMatchObject({ profile: 'server' });
    expect(config.app).toMatchObject({ host: '0.0.0.0', auth: 'apikey', role: 'api' });
    expect(config.metrics).toEqual({ auth: true, token: example.METRICS_TOKEN });
    expect(loadConfig({ ...production, ...compose.services.worker.environment }).app).toMatchObject({ role: 'worker', auth: 'apikey' });
    expect(compose.services.worker.environment!.DATABASE_URL).toBe(env.DATABASE_URL);
    expect(env.REDIS_URL).toBe(`redis://:${example.REDIS_PASSWORD}@redis:6379`);
  });

  it('runs the migrations as the owner role and the service as the role under row-level security', () => {
    const pg = compose.services.postgres as ComposeService & { volumes: string[] };
    expect(pg.volumes).toContain('./deploy/postgres/init-roles.sh:/docker-entrypoint-initdb.d/10-init-roles.sh:ro');
    const { LEDGER_OWNER_PASSWORD, LEDGER_SERVICE_PASSWORD, POSTGRES_DB } = pg.environment!;
    expect(compose.services.migrate.environment!.DATABASE_URL).toBe(`postgres://ledger_owner:${LEDGER_OWNER_PASSWORD}@postgres:5432/${POSTGRES_DB}`);
    for (const name of ['app', 'worker']) {
      expect(compose.services[name].environment!.DATABASE_URL).toBe(`postgres://ledger_service:${LEDGER_SERVICE_PASSWORD}@postgres:5432/${POSTGRES_DB}`);
    }
  });

  it('keeps data in named volumes', () => {
    expect(Object.keys(compose.volumes).sort()).toEqual(['postgres-data', 'redis-data']);
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync('Dockerfile', 'utf8');

  it('is multi-stage, ships production dependencies only and runs as a non-root user', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/main\.js"\]$/m);
  });
});

describe('deploy/prometheus/alerts.yml and deploy/grafana/agent-ledger.json', () => {
  it('alert on growing dead letters, an old pending result and absent workers, each with a severity and a summary', () => {
    const rules = readAlertRules();
    const byName = new Map(rules.map((rule) => [rule.alert, rule]));
    expect(byName.get('AgentLedgerDeadLettersGrowing')?.expr).toContain('agent_ledger_outbox_dead_letters');
    expect(byName.get('AgentLedgerOldestPendingTooOld')?.expr).toContain('agent_ledger_outbox_oldest_pending_age_seconds');
    expect(byName.get('AgentLedgerWorkersAbsent')?.expr).toContain('persistence_results_total');
    for (const rule of rules) {
      expect(rule.for, rule.alert).toMatch(/^\d+[smh]$/);
      expect(['warning', 'critical'], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
    }
  });

  it('chart intake and persisted rates, the latency histogram, backlog, dead letters and HTTP status rates', () => {
    const dashboard = readDashboard();
    expect(dashboard.uid).toBe('agent-ledger');
    const queries = dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr)).join('\n');
    for (const name of [
      'persistence_results_total',
      'persistence_intake_to_persisted_seconds_bucket',
      'agent_ledger_outbox_backlog',
      'agent_ledger_outbox_dead_letters',
      'http_request_duration_seconds_count',
    ]) {
      expect(queries).toContain(name);
    }
    expect(queries).toContain('route="/api/v1/service-calls",status="202"');
    expect(queries).toMatch(/by \(status\)/);
  });

  it('name metrics as PromQL reads them (what /metrics must serve is checked in test/e2e/deploy-metrics.e2e-spec.ts)', () => {
    expect(metricNamesIn('sum by (le) (rate(x_seconds_bucket{route="/a"}[5m])) / on(job) up')).toEqual(['x_seconds_bucket', 'up']);
    expect(metricNamesIn('(max(a_total) > 0) unless (sum(rate(b_total[10m])) > 0)')).toEqual(['a_total', 'b_total']);
    expect(deployedQueries().flatMap(metricNamesIn).length).toBeGreaterThan(10);
  });
});
