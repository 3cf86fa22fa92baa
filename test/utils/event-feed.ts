import { randomUUID } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import supertest from 'supertest';
import { DataSource } from 'typeorm';
import { DomainEvents } from '../../src/common/events/domain-events.service';
import { NewDomainEvent } from '../../src/common/events/event-catalog';
import { UnitOfWork } from '../../src/common/persistence/unit-of-work';
import { waitFor } from './wait';

export interface FeedItem {
  id: string;
  type: string;
  aggregateId: string;
  tenantId: string;
}

export interface FeedPageBody {
  items: FeedItem[];
  nextCursor: string;
}

/** One page of GET /events after `after`. */
export async function readFeed(http: () => supertest.Agent, auth: Record<string, string>, after?: string, limit = 50): Promise<FeedPageBody> {
  const res = await http()
    .get('/api/v1/events')
    .query({ limit, ...(after ? { after } : {}) })
    .set(auth);
  if (res.status !== 200) throw new Error(`GET /events answered ${res.status}: ${res.text}`);
  return res.body as FeedPageBody;
}

/** A reader following the head: pages until the feed has nothing more, returning what it read and where it stands. */
export async function readToHead(http: () => supertest.Agent, auth: Record<string, string>, after?: string): Promise<{ items: FeedItem[]; cursor: string }> {
  const items: FeedItem[] = [];
  let cursor = after;
  for (;;) {
    const page = await readFeed(http, auth, cursor);
    items.push(...page.items);
    cursor = page.nextCursor;
    if (page.items.length === 0) return { items, cursor };
  }
}

/** `agent.registered` events for made-up agents: what a transaction records. */
export function someEvents(count: number, nameLength = 4): NewDomainEvent[] {
  return Array.from({ length: count }, () => {
    const agentId = randomUUID();
    const name = 'n'.repeat(nameLength);
    return {
      type: 'agent.registered',
      aggregateType: 'agent',
      aggregateId: agentId,
      aggregateVersion: 1,
      payload: { agentId, name, role: 'r', status: 'idle' },
    };
  });
}

class RolledBack extends Error {}

/**
 * A transaction of the app that has written its events and stays open until `commit()`: what a
 * slow request looks like to the feed. Its events get their row ids (and transaction id) now.
 */
export async function holdTransactionWithEvents(
  app: NestFastifyApplication,
  tenantId: string,
  count: number,
): Promise<{ aggregateIds: string[]; commit: () => Promise<void>; rollback: () => Promise<void> }> {
  const events = someEvents(count);
  let release!: (outcome: 'commit' | 'rollback') => void;
  const gate = new Promise<'commit' | 'rollback'>((resolve) => (release = resolve));
  let written!: () => void;
  const insertedNow = new Promise<void>((resolve) => (written = resolve));
  const done = app.get(UnitOfWork).run({ tenantId, actorId: 'slow-writer', keyId: null, correlationId: null }, async (tx) => {
    await app.get(DomainEvents).append(tx.manager, tx.context, events);
    written();
    if ((await gate) === 'rollback') throw new RolledBack();
  });
  await insertedNow;
  return {
    aggregateIds: events.map((event) => event.aggregateId),
    commit: async () => {
      release('commit');
      await done;
    },
    rollback: async () => {
      release('rollback');
      await done.catch((error: unknown) => {
        if (!(error instanceof RolledBack)) throw error;
      });
    },
  };
}

/**
 * Waits until every committed event of the tenant is readable in the feed: an event waits there
 * until every transaction that started before it ended, and other test files' transactions run
 * beside this one. Call it between a write and a read of the feed that expects the write's events.
 */
export async function untilFeedCaughtUp(owner: DataSource, tenantId: string): Promise<void> {
  await waitFor(`the event feed of ${tenantId} to catch up`, async () => {
    const [{ waiting }] = await owner.query(
      `SELECT EXISTS (SELECT 1 FROM domain_events WHERE tenant_id = $1 AND xid >= pg_snapshot_xmin(pg_current_snapshot())::text::bigint) AS waiting`,
      [tenantId],
    );
    return !waiting;
  });
}
