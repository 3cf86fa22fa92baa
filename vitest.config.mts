import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';
import { TEST_WORKERS } from './test/setup/worker-database.js';

const databaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** The app under test connects as the service role (created by the global set-up), not as the owner. */
const serviceUrl = Object.assign(new URL(databaseUrl), { username: 'agent_ledger_service', password: '' }).toString();
const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15';

export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: {
    globals: true,
    include: ['test/**/*.spec.ts', 'test/**/*.int-spec.ts', 'test/**/*.e2e-spec.ts', 'test/browser/**/*.browser-spec.ts'],
    globalSetup: ['test/setup/global-setup.ts'],
    // Each worker gets a database of its own (see test/setup/worker-database.ts).
    setupFiles: ['test/setup/worker-database.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Each file boots its own app; files running side by side have a database each, and files that
    // follow each other in a worker isolate their data by tenant.
    maxWorkers: TEST_WORKERS,
    env: {
      DATABASE_URL: serviceUrl,
      TEST_DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      TEST_REDIS_URL: redisUrl,
      AUTH: 'apikey',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      QUEUE_PREFIX: 'agent-ledger-test',
      // Rate limits stay on (every request is counted in Redis, as in production), with budgets no
      // test reaches; rate-limit.e2e-spec sets small ones.
      RATE_LIMIT_DEFAULT: '1000000',
      RATE_LIMIT_STRICT: '1000000',
      RATE_LIMIT_AUTH_FAILURES: '1000000',
    },
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results.json' }]] : ['default'],
  },
});
