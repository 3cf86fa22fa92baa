import { resolve } from 'node:path';
import { InvalidConfigError, loadConfig } from '../../../src/config';

const SERVER_DB = 'postgres://app@db.internal:5432/ledger';

/** Runs loadConfig and returns the InvalidConfigError it must throw. */
function configError(env: Record<string, string>): InvalidConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidConfigError);
    return error as InvalidConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  describe('defaults', () => {
    it('runs the embedded profile, on loopback, without auth, when nothing is set', () => {
      const config = loadConfig({});
      expect(config.database).toEqual({ profile: 'embedded', dataDir: resolve('./data'), migrationsRun: true });
      expect(config.app).toMatchObject({
        port: 3000,
        host: '127.0.0.1',
        role: 'all',
        logLevel: 'info',
        auth: 'off',
        authDefaulted: true,
        bodyLimitBytes: 1024 * 1024,
        bulkBodyLimitBytes: 16 * 1024 * 1024,
        searchContentLimitBytes: 1024 * 1024,
      });
      expect(config.redis).toMatchObject({ url: 'redis://127.0.0.1:6379', defaulted: true, queuePrefix: 'agent-ledger' });
    });

    it('limits each API key to 600 requests a minute, and intake and bulk routes to 120', () => {
      expect(loadConfig({}).rateLimit).toEqual({ enabled: true, windowMs: 60_000, defaultLimit: 600, strictLimit: 120, authFailureLimit: 60 });
      const custom = loadConfig({
        RATE_LIMIT_ENABLED: 'off',
        RATE_LIMIT_WINDOW_MS: '1000',
        RATE_LIMIT_DEFAULT: '5',
        RATE_LIMIT_STRICT: '1',
        RATE_LIMIT_AUTH_FAILURES: '3',
      });
      expect(custom.rateLimit).toEqual({ enabled: false, windowMs: 1000, defaultLimit: 5, strictLimit: 1, authFailureLimit: 3 });
    });

    it('turns CORS off, bounds requests to 30 s, and opens the docs outside production', () => {
      expect(loadConfig({}).http).toEqual({
        corsOrigins: [],
        requestTimeoutMs: 30_000,
        connectionTimeoutMs: 60_000,
        keepAliveTimeoutMs: 72_000,
        docsAuth: false,
        trustedProxies: [],
        publicUrl: undefined,
        maxConnectionsPerAddress: 256,
        statementTimeoutMs: 30_000,
      });
      expect(loadConfig({ NODE_ENV: 'production' }).http.docsAuth).toBe(true);
      expect(loadConfig({ NODE_ENV: 'production', DOCS_AUTH: 'false' }).http.docsAuth).toBe(false);
      expect(loadConfig({ DOCS_AUTH: 'true' }).http.docsAuth).toBe(true);
      const cors = loadConfig({ CORS_ORIGINS: ' https://app.example.com, http://localhost:5173 ,' });
      expect(cors.http.corsOrigins).toEqual(['https://app.example.com', 'http://localhost:5173']);
      expect(loadConfig({ CONNECTION_TIMEOUT_MS: '0', REQUEST_TIMEOUT_MS: '120000' }).http).toMatchObject({
        connectionTimeoutMs: 0,
        requestTimeoutMs: 120_000,
      });
    });

    it('believes X-Forwarded-For only from the proxies TRUST_PROXY lists', () => {
      expect(loadConfig({ TRUST_PROXY: ' 10.0.0.0/8, 192.168.1.7 ,fd00::/8, ::1, loopback,' }).http.trustedProxies).toEqual([
        '10.0.0.0/8',
        '192.168.1.7',
        'fd00::/8',
        '::1',
        'loopback',
      ]);
    });

    it('trusts a verified API key for 5 s before looking it up again', () => {
      expect(loadConfig({}).app.apiKeyCacheTtlMs).toBe(5000);
      expect(loadConfig({ API_KEY_CACHE_TTL_MS: '0' }).app.apiKeyCacheTtlMs).toBe(0);
    });

    it('remembers an unknown API key for 5 s, so that repeating it costs no lookup', () => {
      expect(loadConfig({}).app.apiKeyNegativeCacheTtlMs).toBe(5000);
      expect(loadConfig({ API_KEY_NEGATIVE_CACHE_TTL_MS: '0' }).app.apiKeyNegativeCacheTtlMs).toBe(0);
    });

    it('keeps Idempotency-Keys 24 h, or IDEMPOTENCY_TTL given with its unit', () => {
      expect(loadConfig({}).idempotency).toEqual({ ttlMs: 86_400_000, waitMs: 2000, purgeIntervalMs: 600_000 });
      expect(loadConfig({ IDEMPOTENCY_TTL: '90s' }).idempotency.ttlMs).toBe(90_000);
      expect(loadConfig({ IDEMPOTENCY_TTL: '30m' }).idempotency.ttlMs).toBe(1_800_000);
      expect(loadConfig({ IDEMPOTENCY_TTL: '7d' }).idempotency.ttlMs).toBe(7 * 86_400_000);
    });

    it('treats an empty or blank variable as unset', () => {
      const config = loadConfig({ DATABASE_URL: '', PORT: '  ', AUTH: '' });
      expect(config.database.profile).toBe('embedded');
      expect(config.app).toMatchObject({ port: 3000, auth: 'off', authDefaulted: true });
    });

    it('keeps auth off by default on every loopback spelling', () => {
      for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) {
        expect(loadConfig({ HOST: host }).app.auth).toBe('off');
      }
    });

    it('requires API keys by default when the embedded server listens beyond loopback', () => {
      for (const host of ['0.0.0.0', '::', '10.0.0.5', 'ledger.example.com']) {
        const config = loadConfig({ HOST: host });
        expect(config.database.profile).toBe('embedded');
        expect(config.app).toMatchObject({ host, auth: 'apikey', authDefaulted: true });
      }
    });

    it('requires API keys by default with a PostgreSQL server, even on loopback', () => {
      const config = loadConfig({ DATABASE_URL: SERVER_DB });
      expect(config.database).toMatchObject({ profile: 'server', url: SERVER_DB, poolSize: 10, migrationsRun: false });
      expect(config.app).toMatchObject({ host: '127.0.0.1', auth: 'apikey', authDefaulted: true });
    });

    it('accepts explicit valid values', () => {
      const config = loadConfig({
        DATABASE_URL: 'postgresql://u:p@localhost/db',
        AUTH: 'off',
        HOST: 'localhost',
        PORT: '8080',
        APP_ROLE: 'Worker',
        LOG_LEVEL: 'debug',
        MIGRATIONS_RUN: 'yes',
        REDIS_URL: 'rediss://cache:6380/2',
      });
      expect(config.app).toMatchObject({ port: 8080, role: 'worker', logLevel: 'debug', auth: 'off', authDefaulted: false });
      expect(config.database).toMatchObject({ profile: 'server', migrationsRun: true });
      expect(config.redis).toMatchObject({ url: 'rediss://cache:6380/2', defaulted: false });
    });
  });

  describe('bad values stop start-up with a message naming the variable', () => {
    const cases: [string, Record<string, string>][] = [
      ['PORT', { PORT: 'abc' }],
      ['PORT', { PORT: '70000' }],
      ['PORT', { PORT: '80.5' }],
      ['APP_ROLE', { APP_ROLE: 'boss' }],
      ['DATABASE_URL', { DATABASE_URL: 'mysql://x' }],
      ['DATABASE_URL', { DATABASE_URL: 'not a url' }],
      ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
      ['MIGRATIONS_RUN', { DATABASE_URL: SERVER_DB, MIGRATIONS_RUN: 'maybe' }],
      ['AUTH', { AUTH: 'token' }],
      ['REDIS_URL', { REDIS_URL: 'http://cache:6379' }],
      ['BODY_LIMIT_BYTES', { BODY_LIMIT_BYTES: '10' }],
      ['DATABASE_POOL_SIZE', { DATABASE_URL: SERVER_DB, DATABASE_POOL_SIZE: '0' }],
      ['ADMIN_TENANTS', { ADMIN_TENANTS: 'ops, Not A Tenant' }],
      ['ADMIN_TENANTS', { ADMIN_TENANTS: ' , ' }],
      ['RATE_LIMIT_ENABLED', { RATE_LIMIT_ENABLED: 'sometimes' }],
      ['RATE_LIMIT_DEFAULT', { RATE_LIMIT_DEFAULT: '0' }],
      ['RATE_LIMIT_STRICT', { RATE_LIMIT_STRICT: '-1' }],
      ['RATE_LIMIT_WINDOW_MS', { RATE_LIMIT_WINDOW_MS: '10' }],
      ['TRUST_PROXY', { TRUST_PROXY: 'true' }],
      ['TRUST_PROXY', { TRUST_PROXY: '*' }],
      ['TRUST_PROXY', { TRUST_PROXY: '10.0.0.0/33' }],
      ['TRUST_PROXY', { TRUST_PROXY: 'proxy.internal' }],
      ['TRUST_PROXY', { TRUST_PROXY: '10.0.0.1, 2' }],
      ['CORS_ORIGINS', { CORS_ORIGINS: '*' }],
      ['CORS_ORIGINS', { CORS_ORIGINS: 'https://app.example.com/' }],
      ['CORS_ORIGINS', { CORS_ORIGINS: 'https://app.example.com,ftp://files.example.com' }],
      ['CORS_ORIGINS', { CORS_ORIGINS: 'app.example.com' }],
      ['REQUEST_TIMEOUT_MS', { REQUEST_TIMEOUT_MS: 'soon' }],
      ['CONNECTION_TIMEOUT_MS', { CONNECTION_TIMEOUT_MS: '10000', REQUEST_TIMEOUT_MS: '10000' }],
      ['KEEP_ALIVE_TIMEOUT_MS', { KEEP_ALIVE_TIMEOUT_MS: '10' }],
      ['DOCS_AUTH', { DOCS_AUTH: 'maybe' }],
      ['API_KEY_CACHE_TTL_MS', { API_KEY_CACHE_TTL_MS: '600000' }],
      ['API_KEY_NEGATIVE_CACHE_TTL_MS', { API_KEY_NEGATIVE_CACHE_TTL_MS: '120000' }],
      ['RATE_LIMIT_AUTH_FAILURES', { RATE_LIMIT_AUTH_FAILURES: '0' }],
      ['IDEMPOTENCY_TTL', { IDEMPOTENCY_TTL: '86400' }],
      ['IDEMPOTENCY_TTL', { IDEMPOTENCY_TTL: '0s' }],
      ['IDEMPOTENCY_TTL', { IDEMPOTENCY_TTL: '31d' }],
      ['IDEMPOTENCY_WAIT_MS', { IDEMPOTENCY_WAIT_MS: 'long' }],
    ];

    it.each(cases)('%s in %j', (variable, env) => {
      const error = configError(env);
      expect(error.message).toContain(variable);
      expect(error.problems).toHaveLength(1);
      expect(error.problems[0]).toContain(variable);
    });

    it('shows the offending value so it can be found', () => {
      expect(configError({ PORT: 'abc' }).message).toContain('"abc"');
      expect(configError({ APP_ROLE: 'boss' }).message).toContain('"boss"');
    });

    it('does not repeat a password from a refused DATABASE_URL', () => {
      const error = configError({ DATABASE_URL: 'mysql://root:s3cret-pw@db:3306/app' });
      expect(error.message).toContain('DATABASE_URL');
      expect(error.message).not.toContain('s3cret-pw');
    });

    it('refuses AUTH=off while listening beyond loopback, naming AUTH and HOST', () => {
      const envs: Record<string, string>[] = [
        { AUTH: 'off', HOST: '0.0.0.0' },
        { AUTH: 'off', HOST: '0.0.0.0', DATABASE_URL: SERVER_DB },
      ];
      for (const env of envs) {
        const error = configError(env);
        expect(error.message).toContain('AUTH');
        expect(error.message).toContain('HOST');
        expect(error.message).toContain('0.0.0.0');
      }
    });

    it('lists every bad variable in one error', () => {
      const error = configError({
        PORT: 'abc',
        APP_ROLE: 'boss',
        DATABASE_URL: 'mysql://x',
        LOG_LEVEL: 'loud',
        MIGRATIONS_RUN: 'maybe',
        AUTH: 'off',
        HOST: '0.0.0.0',
      });
      expect(error.problems).toHaveLength(6);
      for (const variable of ['PORT', 'APP_ROLE', 'DATABASE_URL', 'LOG_LEVEL', 'MIGRATIONS_RUN', 'AUTH', 'HOST']) {
        expect(error.message).toContain(variable);
      }
      for (const problem of error.problems) expect(error.message).toContain(problem);
    });
  });
});
