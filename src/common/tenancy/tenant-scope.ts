import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The value of the `app.tenant_id` setting that the row-level security policies read as
 * "every tenant". Only system work enters it (API key lookup, the outbox sweeper, the gauges,
 * the command line); a tenant id can never take this value (see the tenant id pattern).
 */
export const ALL_TENANTS = '*';

/** The PostgreSQL setting the row-level security policies compare `tenant_id` with. */
export const TENANT_SETTING = 'app.tenant_id';

const scope = new AsyncLocalStorage<string>();

/**
 * Whose rows the database work of the current async flow may touch. The database client reads it
 * before every statement (see database/tenant-scoped-client.ts), so even a query that forgets its
 * `tenant_id` condition sees only the caller's rows. Outside any scope the setting is empty and
 * the policies match no row at all.
 */
export const TenantScope = {
  /** Runs `work` (and everything it awaits or schedules) as `tenantId`. */
  run<T>(tenantId: string, work: () => T): T {
    if (tenantId === '' || tenantId === ALL_TENANTS) throw new Error(`"${tenantId}" is not a tenant id`);
    return scope.run(tenantId, work);
  },

  /** Runs `work` across every tenant: for system work that is not done on a tenant's behalf. */
  system<T>(work: () => T): T {
    return scope.run(ALL_TENANTS, work);
  },

  /** The setting for the current flow: a tenant id, ALL_TENANTS, or '' outside any scope. */
  current(): string {
    return scope.getStore() ?? '';
  },
};
