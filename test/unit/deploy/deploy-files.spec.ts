import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { loadConfig } from '../../../src/config';

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as { services: Record<string, ComposeService>; volumes: Record<string, unknown> };

describe('docker-compose.yml', () => {
  it('declares app, worker, postgres and redis, each with a healthcheck', () => {
    for (const name of ['app', 'worker', 'postgres', 'redis']) {
      expect(compose.services[name], name).toBeDefined();
      expect(compose.services[name].healthcheck?.test.length, `${name} healthcheck`).toBeGreaterThan(0);
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
    const config = loadConfig(env);
    expect(config.database).toMatchObject({ profile: 'server' });
    expect(config.app).toMatchObject({ host: '0.0.0.0', auth: 'apikey', role: 'api' });
    expect(loadConfig(compose.services.worker.environment!).app).toMatchObject({ role: 'worker', auth: 'apikey' });
    expect(compose.services.worker.environment!.DATABASE_URL).toBe(env.DATABASE_URL);
    const pg = compose.services.postgres.environment!;
    expect(env.DATABASE_URL).toBe(`postgres://${pg.POSTGRES_USER}:${pg.POSTGRES_PASSWORD}@postgres:5432/${pg.POSTGRES_DB}`);
    expect(env.REDIS_URL).toBe('redis://redis:6379');
    expect(compose.services.migrate.environment!.DATABASE_URL).toBe(env.DATABASE_URL);
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
