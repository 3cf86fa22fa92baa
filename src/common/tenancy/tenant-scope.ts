import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestDeadline } from '../http/request-deadline';
import { TENANT_ID_PATTERN } from '../../config/tenant-id';

/** The PostgreSQL setting the row-level security policies compare `tenant_id` with. */
export const TENANT_SETTING = 'app.tenant_id';

interface Scope {
  readonly tenantId: string;
  /** The time limit of the HTTP request this work belongs to, if any (see RequestScopeInterceptor). */
  readonly deadline?: RequestDeadline;
}

const scope = new AsyncLocalStorage<Scope>();

/**
 * Whose rows the database work of the current async flow may touch. The database client reads it
 * before every statement (see database/tenant-scoped-client.ts), so even a query that forgets its
 * `tenant_id` condition sees only the caller's rows. Outside any scope the setting is empty and
 * the policies match no row at all. There is no scope of every tenant: work across tenants (the
 * API key lookup, the outbox sweeper and drain, the gauges, the admin routes) goes through
 * functions of the database that do that work only (see the SystemWorkFunctions migration).
 * A request's deadline travels in the same scope, kept by every scope entered inside the request.
 */
export const TenantScope = {
  /** Runs `work` (and everything it awaits or schedules) as `tenantId`. */
  run<T>(tenantId: string, work: () => T): T {
    if (!TENANT_ID_PATTERN.test(tenantId)) throw new Error(`"${tenantId}" is not a tenant id`);
    return scope.run({ tenantId, deadline: scope.getStore()?.deadline }, work);
  },

  /** Runs an HTTP request's handler under its deadline, as its tenant once authenticated (else in no scope). */
  request<T>(tenantId: string | undefined, deadline: RequestDeadline, work: () => T): T {
    if (tenantId !== undefined && !TENANT_ID_PATTERN.test(tenantId)) throw new Error(`"${tenantId}" is not a tenant id`);
    return scope.run({ tenantId: tenantId ?? '', deadline }, work);
  },

  /** The setting for the current flow: a tenant id, or '' outside any scope. */
  current(): string {
    return scope.getStore()?.tenantId ?? '';
  },

  /** The deadline of the request the current flow serves, if it serves one. */
  deadline(): RequestDeadline | undefined {
    return scope.getStore()?.deadline;
  },
};
