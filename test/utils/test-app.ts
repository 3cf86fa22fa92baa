import { ModuleMetadata } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import supertest from 'supertest';
import { DataSource } from 'typeorm';
import { ApiKeysService } from '../../src/common/auth/api-keys.service';
import { loadConfig } from '../../src/config';
import { createAppDataSource } from '../../src/data-source';
import { createApp } from '../../src/create-app';

export interface TestApp {
  app: NestFastifyApplication;
  http: () => supertest.Agent;
  /**
   * The test database as the owner of its tables (TEST_DATABASE_URL), for set-up and assertions:
   * it sees every tenant's rows. The app itself connects as the service role, under row-level security.
   */
  owner: DataSource;
  close: () => Promise<void>;
}

/** A data source on the test database as the owner of the tables (bypasses row-level security). */
export async function openOwnerDataSource(): Promise<DataSource> {
  const url = process.env.TEST_DATABASE_URL!;
  return createAppDataSource({ profile: 'server', url, poolSize: 4, migrationsRun: false, dataDir: '' }, { logging: false }).initialize();
}

/**
 * Boots the real application (Fastify, filters, pipes, guards) against the test PostgreSQL
 * and Redis named in vitest.config.ts. `env` overrides variables for this app only.
 */
export async function createTestApp(env: Record<string, string | undefined> = {}, extraImports: ModuleMetadata['imports'] = []): Promise<TestApp> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete process.env[name];
  try {
    const app = await createApp(loadConfig(), extraImports);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    const owner = await openOwnerDataSource();
    return {
      app,
      http: () => supertest.agent(app.getHttpServer()),
      owner,
      close: async () => {
        await owner.destroy();
        await app.close();
      },
    };
  } finally {
    process.env = saved;
  }
}

export interface TestTenant {
  tenantId: string;
  key: string;
  /** Headers that authenticate as this tenant. */
  auth: { Authorization: string };
}

let tenantCounter = 0;

/** A fresh tenant with its own API key: tests isolate their data by tenant, never by truncating. */
export async function createTenant(app: NestFastifyApplication, name = 'test-key'): Promise<TestTenant> {
  const tenantId = `t${process.pid}-${Date.now().toString(36)}-${++tenantCounter}`;
  const created = await app.get(ApiKeysService).create(tenantId, name);
  return { tenantId, key: created.key, auth: { Authorization: `Bearer ${created.key}` } };
}

export interface TwoTenantSuite {
  t: TestApp;
  db: DataSource;
  tenant: TestTenant;
  other: TestTenant;
}

/**
 * Boots one app for the test file (with `extraImports`, e.g. a test-only controller) and gives every
 * test two fresh tenants: `tenant` (the caller) and `other` (whose rows the caller must never see).
 * Read the members inside hooks and tests.
 */
export function useTwoTenants(
  env: Record<string, string | undefined> = { LOG_LEVEL: process.env.DEBUG_LOG_LEVEL ?? 'silent' },
  extraImports: ModuleMetadata['imports'] = [],
): TwoTenantSuite {
  const suite = {} as TwoTenantSuite;
  beforeAll(async () => {
    suite.t = await createTestApp(env, extraImports);
    suite.db = suite.t.owner;
  });
  afterAll(() => suite.t.close());
  beforeEach(async () => {
    suite.tenant = await createTenant(suite.t.app);
    suite.other = await createTenant(suite.t.app, 'other-key');
  });
  return suite;
}
