import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { typeFilter } from './event-type-pattern';
import { FeedPosition, laterOf, START } from './event-cursor';

export interface EventFilters {
  type?: string;
  aggregateId?: string;
}

/** An event as the feed serves it, with its position. */
export interface FeedEvent {
  position: FeedPosition;
  type: string;
  aggregateType: string;
  aggregateId: string;
  aggregateVersion: number | null;
  tenantId: string;
  actorId: string;
  keyId: string | null;
  correlationId: string | null;
  payload: Record<string, unknown>;
  occurredAt: Date;
}

export interface FeedPage {
  items: FeedEvent[];
  /** More matching events are already readable: ask again from the last item at once. */
  hasMore: boolean;
  /**
   * How far this read has looked: the last item when the page is full, else the snapshot's horizon
   * (nothing that matches lies between the last item and it, and nothing can commit there later).
   * For the server's own bookkeeping only: it is a position in the whole database's history.
   */
  scannedTo: FeedPosition;
  /**
   * The newest transaction with committed events of the tenant matching the read's filters that
   * wait behind an older transaction still running (anyone's), null when none wait: they become
   * readable when it ends. A follower asks again soon instead of waiting for a wake-up.
   */
  heldBackTo: bigint | null;
}

interface FeedRow {
  horizon: string;
  held_back_to: string | null;
  id: string | null;
  xid: string;
  tenant_id: string;
  type: string;
  aggregate_type: string;
  aggregate_id: string;
  aggregate_version: number | null;
  actor_id: string;
  key_id: string | null;
  correlation_id: string | null;
  payload: Record<string, unknown>;
  occurred_at: Date;
}

/**
 * The oldest transaction that may still write events here, as the statement's snapshot sees it:
 * the least of its running transactions (`xip`) and of those yet to start (`xmax`), leaving out
 * the ones seen running in another database of the cluster, which can never write to this one.
 * Without that, a long transaction in any database of the server (a migration, a report, another
 * deployment) held back every reader of this feed until it ended. A transaction of the snapshot
 * that has ended since is not seen anywhere and is kept, as it may be one of ours: the horizon
 * never passes a transaction whose events the snapshot could not see. (`backend_xid` is the 32-bit
 * form of the snapshot's 64-bit ids.)
 */
const FEED_HORIZON = `(SELECT COALESCE(min(x::text::bigint), min(pg_snapshot_xmax(s.snapshot)::text::bigint))
  FROM (SELECT pg_current_snapshot() AS snapshot) s
  LEFT JOIN LATERAL pg_snapshot_xip(s.snapshot) AS x
    ON x::text::bigint % 4294967296 NOT IN (
      SELECT a.backend_xid::text::bigint FROM pg_stat_activity a
      WHERE a.backend_xid IS NOT NULL AND a.datname IS DISTINCT FROM current_database()))`;

/**
 * Reads a tenant's event log in commit-safe order. Events are ordered by the id of the transaction
 * that wrote them, then by row id, and only transactions older than the horizon (FEED_HORIZON: the
 * oldest transaction of this database still running for the statement's snapshot) are served:
 * every such transaction has ended, and any transaction that commits later has a larger id, so
 * nothing can ever appear behind a position once it has been served. The horizon is read in the
 * same statement as the rows (one snapshot).
 */
@Injectable()
export class EventsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async page(tenantId: string, after: FeedPosition, filters: EventFilters, limit: number): Promise<FeedPage> {
    const params: unknown[] = [tenantId, after.xid.toString(), after.id.toString()];
    // The read's filters, for the rows it serves (e) and for those it finds held back (w).
    const filtersOn: ((alias: string) => string)[] = [];
    if (filters.type) {
      const filter = typeFilter(filters.type);
      params.push('exact' in filter ? filter.exact : filter.regex);
      const n = params.length;
      filtersOn.push((alias) => ('exact' in filter ? `${alias}.type = $${n}` : `${alias}.type ~ $${n}`));
    }
    if (filters.aggregateId) {
      params.push(filters.aggregateId);
      const n = params.length;
      filtersOn.push((alias) => `${alias}.aggregate_id = $${n}`);
    }
    const matching = (alias: string) => [`${alias}.tenant_id = $1`, ...filtersOn.map((on) => on(alias))];
    const conditions = [...matching('e'), '(e.xid, e.id) > ($2::bigint, $3::bigint)', 'e.xid < h.horizon'];
    params.push(limit + 1);
    const rows: FeedRow[] = await this.dataSource.query(
      `WITH h AS (SELECT ${FEED_HORIZON} AS horizon)
       SELECT h.horizon,
              (SELECT max(w.xid) FROM domain_events w WHERE ${[...matching('w'), 'w.xid >= h.horizon'].join(' AND ')}) AS held_back_to,
              e.*
       FROM h LEFT JOIN LATERAL (
         SELECT e.id, e.xid, e.tenant_id, e.type, e.aggregate_type, e.aggregate_id, e.aggregate_version,
                e.actor_id, e.key_id, e.correlation_id, e.payload, e.occurred_at
         FROM domain_events e
         WHERE ${conditions.join(' AND ')}
         ORDER BY e.xid, e.id
         LIMIT $${params.length}
       ) e ON true`,
      params,
    );
    const found = rows.filter((row) => row.id !== null);
    const items = found.slice(0, limit).map(toFeedEvent);
    const hasMore = found.length > limit;
    const horizon: FeedPosition = { xid: BigInt(rows[0].horizon), id: 0n };
    const last = items.at(-1)?.position;
    const scannedTo = hasMore ? last! : laterOf(after, horizon);
    const heldBackTo = rows[0].held_back_to === null ? null : BigInt(rows[0].held_back_to);
    return { items, hasMore, scannedTo, heldBackTo };
  }

  /** The position of the tenant's newest readable event (the start when it has none): where "from now on" begins. */
  async head(tenantId: string): Promise<FeedPosition> {
    const [row]: { xid: string; id: string }[] = await this.dataSource.query(
      `SELECT e.xid, e.id FROM domain_events e
       WHERE e.tenant_id = $1 AND e.xid < ${FEED_HORIZON}
       ORDER BY e.xid DESC, e.id DESC LIMIT 1`,
      [tenantId],
    );
    return row ? { xid: BigInt(row.xid), id: BigInt(row.id) } : START;
  }
}

function toFeedEvent(row: FeedRow): FeedEvent {
  return {
    position: { xid: BigInt(row.xid), id: BigInt(row.id!) },
    type: row.type,
    aggregateType: row.aggregate_type,
    aggregateId: row.aggregate_id,
    aggregateVersion: row.aggregate_version,
    tenantId: row.tenant_id,
    actorId: row.actor_id,
    keyId: row.key_id,
    correlationId: row.correlation_id,
    payload: row.payload,
    occurredAt: new Date(row.occurred_at),
  };
}
