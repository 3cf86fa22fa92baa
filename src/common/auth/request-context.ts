/** Who is calling and on whose behalf: passed explicitly from controllers into services. */
export interface RequestContext {
  tenantId: string;
  /** Who acted, as a label: the key's name, or `X-Actor-Id` when the key allows it. */
  actorId: string;
  /**
   * The id of the API key that authenticated the request (never the key): who acted, as proved.
   * Null where no key did: `AUTH=off`, and the operator's command line.
   */
  keyId: string | null;
  correlationId: string | null;
}

/** The tenant every call acts as while AUTH=off. */
export const DEFAULT_TENANT = 'default';
