import { RequestContext } from '../auth/request-context';
import { uuidv7 } from './uuid-v7';

/** Who made a row: the actor (a label) and the API key that authenticated the request (null without one). */
export interface CreatedBy {
  createdBy: string;
  createdByKeyId: string | null;
}

/** Who changed a row last, in the same two forms. */
export interface UpdatedBy {
  updatedBy: string;
  updatedByKeyId: string | null;
}

/** The authorship of an append-only record. */
export function createdBy(ctx: RequestContext): CreatedBy {
  return { createdBy: ctx.actorId, createdByKeyId: ctx.keyId };
}

/** The authorship a change writes on an audited row. */
export function updatedBy(ctx: RequestContext): UpdatedBy {
  return { updatedBy: ctx.actorId, updatedByKeyId: ctx.keyId };
}

/** Identity and authorship of a new audited row: a fresh uuid v7, the caller's tenant, actor and key. */
export function newAuditedFields(ctx: RequestContext): { id: string; tenantId: string } & CreatedBy & UpdatedBy {
  return { id: uuidv7(), tenantId: ctx.tenantId, ...createdBy(ctx), ...updatedBy(ctx) };
}
