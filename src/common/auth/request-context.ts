/** Who is calling and on whose behalf: passed explicitly from controllers into services. */
export interface RequestContext {
  tenantId: string;
  actorId: string;
  correlationId: string | null;
}

/** The tenant every call acts as while AUTH=off. */
export const DEFAULT_TENANT = 'default';
