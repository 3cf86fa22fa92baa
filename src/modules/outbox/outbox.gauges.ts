import { Injectable } from '@nestjs/common';
import { BoundedRead } from '../../common/observability/bounded-read';
import { GaugeFeed } from '../../common/observability/gauge-feed';
import { gauge } from '../../common/observability/metric';
import { OutboxBacklog, OutboxRepository } from './outbox.repository';

/** Tenants named in `agent_ledger_outbox_backlog{tenant}`: the largest backlogs only, so labels stay bounded. */
export const BACKLOG_TOP_TENANTS = 10;
/** A scrape reuses counts read this recently. */
export const OUTBOX_GAUGES_MAX_AGE_MS = 5_000;

/** The live providers, most recently started last (a process may run several applications). */
const sources: GaugeFeed<OutboxBacklog>[] = [];

function outboxGauge(name: string, help: string, report: (set: (value: number) => void, backlog: OutboxBacklog) => void): void {
  gauge({
    name,
    help,
    async collect() {
      this.reset();
      const backlog = await sources.at(-1)?.current();
      if (backlog) report((value) => this.set(value), backlog);
    },
  });
}

outboxGauge('agent_ledger_outbox_dead_letters', 'Dead-lettered service-call results, across all tenants', (set, b) => set(b.deadLettered));
outboxGauge('agent_ledger_outbox_pending', 'Service-call results waiting to be persisted, across all tenants', (set, b) => set(b.pending));
outboxGauge('agent_ledger_outbox_oldest_pending_age_seconds', 'Age of the oldest service-call result still pending (0 when none is)', (set, b) =>
  set(b.oldestPendingSeconds ?? 0),
);
gauge({
  name: 'agent_ledger_outbox_backlog',
  help: `Pending service-call results of the ${BACKLOG_TOP_TENANTS} tenants with the most`,
  labelNames: ['tenant'],
  async collect() {
    this.reset();
    const backlog = await sources.at(-1)?.current();
    for (const { tenantId, pending } of backlog?.pendingByTenant ?? []) this.set({ tenant: tenantId }, pending);
  },
});

/**
 * Feeds the outbox gauges of /metrics: dead letters, pending results and the oldest one's age,
 * and the backlog of the tenants with the most. Counted across tenants on purpose (operators
 * watch the whole service), at most every OUTBOX_GAUGES_MAX_AGE_MS, bounded like every collector.
 */
@Injectable()
export class OutboxGauges extends GaugeFeed<OutboxBacklog> {
  protected readonly live = sources;
  protected readonly read = new BoundedRead(() => this.repository.backlog(BACKLOG_TOP_TENANTS), {
    name: 'outbox_backlog',
    maxAgeMs: OUTBOX_GAUGES_MAX_AGE_MS,
  });

  constructor(private readonly repository: OutboxRepository) {
    super();
  }
}
