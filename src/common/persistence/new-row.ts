import { RequestContext } from '../auth/request-context';
import { uuidv7 } from './uuid-v7';

/** Identity and authorship of a new audited row: a fresh uuid v7, the caller's tenant and actor. */
export function newAuditedFields(ctx: RequestContext): { id: string; tenantId: string; createdBy: string; updatedBy: string } {
  return { id: uuidv7(), tenantId: ctx.tenantId, createdBy: ctx.actorId, updatedBy: ctx.actorId };
}
