import { createCipheriv, createDecipheriv, createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** A place in a tenant's event log: after the event written by transaction `xid` with row id `id`. */
export interface FeedPosition {
  xid: bigint;
  id: bigint;
}

/** Before the first event. */
export const START: FeedPosition = { xid: 0n, id: 0n };

const BLOCK = 16;
const TAG = 8;
const CURSOR = /^[A-Za-z0-9_-]{32}$/;

export function comparePositions(a: FeedPosition, b: FeedPosition): number {
  if (a.xid !== b.xid) return a.xid < b.xid ? -1 : 1;
  return a.id === b.id ? 0 : a.id < b.id ? -1 : 1;
}

export function laterOf(a: FeedPosition, b: FeedPosition): FeedPosition {
  return comparePositions(a, b) >= 0 ? a : b;
}

/**
 * Seals feed positions into opaque cursors and opens them again. A position holds a transaction id
 * and a row id, both counted across the whole database: shown as they are, their gaps would tell a
 * tenant how much everyone else wrote. So the 16 bytes are encrypted (one AES-256 block: the same
 * position always gives the same cursor, so an event's id is stable) and followed by a MAC over the
 * block and the tenant: a cursor that was altered, made up, or issued to another tenant is refused.
 * 32 URL-safe characters.
 */
export class EventCursorCodec {
  private readonly encryptionKey: Buffer;
  private readonly macKey: Buffer;

  constructor(secret: string) {
    this.encryptionKey = createHash('sha256').update(`event-cursor-encryption:${secret}`).digest();
    this.macKey = createHash('sha256').update(`event-cursor-mac:${secret}`).digest();
  }

  seal(tenantId: string, position: FeedPosition): string {
    const plain = Buffer.alloc(BLOCK);
    plain.writeBigUInt64BE(position.xid, 0);
    plain.writeBigUInt64BE(position.id, 8);
    const cipher = createCipheriv('aes-256-ecb', this.encryptionKey, null).setAutoPadding(false);
    const block = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([block, this.tag(tenantId, block)]).toString('base64url');
  }

  /** The position a cursor stands for, or undefined when it is not one this codec sealed for this tenant. */
  open(tenantId: string, cursor: string): FeedPosition | undefined {
    if (!CURSOR.test(cursor)) return undefined;
    const bytes = Buffer.from(cursor, 'base64url');
    const block = bytes.subarray(0, BLOCK);
    if (!timingSafeEqual(bytes.subarray(BLOCK), this.tag(tenantId, block))) return undefined;
    const decipher = createDecipheriv('aes-256-ecb', this.encryptionKey, null).setAutoPadding(false);
    const plain = Buffer.concat([decipher.update(block), decipher.final()]);
    return { xid: plain.readBigUInt64BE(0), id: plain.readBigUInt64BE(8) };
  }

  private tag(tenantId: string, block: Buffer): Buffer {
    return createHmac('sha256', this.macKey).update(tenantId).update('\0').update(block).digest().subarray(0, TAG);
  }
}
