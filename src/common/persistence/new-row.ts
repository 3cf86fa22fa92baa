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

/** Identity and authorship of an audited row: its id and tenant, who created it and who changed it last. */
export type AuditedFields = { id: string; tenantId: string } & CreatedBy & UpdatedBy;

/**
 * A new audited row: a fresh uuid v7, the caller's tenant, actor and key (`AuditedFields`), then `fields`.
 *
 * Built with `Object.assign` onto a fresh object rather than as `{ ...auditFields, name, … }`: in V8
 * (Node 20) an object spread followed by more properties takes a slow path, tens of times slower
 * than this, and every create of every route builds one of these per row. Response builders
 * (`auditedFields`, `runFields`) are used the same way.
 */
export function newAuditedRow<F extends object>(ctx: RequestContext, fields: F): AuditedFields & F {
  const row: AuditedFields = {
    id: uuidv7(),
    tenantId: ctx.tenantId,
    createdBy: ctx.actorId,
    createdByKeyId: ctx.keyId,
    updatedBy: ctx.actorId,
    updatedByKeyId: ctx.keyId,
  };
  return Object.assign(row, fields);
}
