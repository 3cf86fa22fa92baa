import { createHash } from 'node:crypto';

const MAX_MS = 2 ** 48 - 1;

/**
 * The id a legacy row gets: a UUID (version 8, RFC 9562's custom layout) laid out like the app's
 * version 7 ids, so imported rows sort by their legacy creation time among the others (lists page
 * in id order): 48 bits of `created_at` in milliseconds, then 74 bits of
 * SHA-256(tenant NUL table NUL legacy id). The same legacy row always gets the same id.
 */
export function legacyTargetId(tenantId: string, sourceTable: string, legacyId: string, createdAt: Date): string {
  const hash = createHash('sha256').update(`${tenantId}\0${sourceTable}\0${legacyId}`).digest();
  const bytes = Buffer.alloc(16);
  bytes.writeUIntBE(Math.min(Math.max(createdAt.getTime(), 0), MAX_MS), 0, 6);
  hash.copy(bytes, 6, 0, 10);
  bytes[6] = 0x80 | (bytes[6] & 0x0f);
  bytes[8] = 0x80 | (bytes[8] & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The id of the one workflow per tenant and table that holds legacy tasks which named none. */
export function holdingWorkflowId(tenantId: string, sourceTable: string): string {
  // A fixed time part (the Unix epoch): there is no legacy row to take it from.
  return legacyTargetId(tenantId, sourceTable, '\0holding-workflow', new Date(0));
}
