import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { DRAIN_JOB, PERSISTENCE_QUEUE } from '../../../src/common/queues/queue-names';
import type { DrainJobReport } from '../../../src/modules/outbox/outbox.jobs';
import { waitForServiceCall } from '../../utils/service-calls';
import { useTwoTenants } from '../../utils/test-app';

const BATCH_SIZE = 2;
const BATCHES_PER_JOB = 3;

/** The drain jobs that claimed something, as the board shows them (their return values). */
async function drainReports(queue: Queue): Promise<DrainJobReport[]> {
  const completed = await queue.getCompleted(0, -1);
  return completed.filter((job) => job.name === DRAIN_JOB && job.returnvalue?.claimed > 0).map((job) => job.returnvalue as DrainJobReport);
}

describe('outbox drain: PERSIST_BATCHES_PER_JOB batches per drain job', () => {
  const s = useTwoTenants({
    LOG_LEVEL: process.env.DEBUG_LOG_LEVEL ?? 'silent',
    QUEUE_PREFIX: `batches-per-job-${process.pid}`,
    PERSIST_BATCH_SIZE: String(BATCH_SIZE),
    PERSIST_BATCHES_PER_JOB: String(BATCHES_PER_JOB),
    PERSIST_BATCH_CONCURRENCY: '1',
    // Only wake-ups move the drain here: the sweeper would find a forgotten result within a minute.
    SWEEP_INTERVAL_MS: '60000',
  });

  it('runs batch after batch in one job while results remain, at most PERSIST_BATCHES_PER_JOB, and reports them on the board', async () => {
    const queue = s.t.app.get<Queue>(getQueueToken(PERSISTENCE_QUEUE));
    const names = Array.from({ length: 14 }, (_, i) => `agent-${i}`);
    // Paused while the backlog arrives: its wake-up waits, and the first job finds all of it due.
    await queue.pause();
    const accepted = await s.t
      .http()
      .post('/api/v1/service-calls/bulk')
      .set(s.tenant.auth)
      .send({ items: names.map((name) => ({ callId: name, namespace: 'core', schema: 'agent.registration@1', result: { name, role: 'bench' } })) })
      .expect(202);
    await queue.resume();

    await Promise.all(accepted.body.items.map((entry: { record: { id: string } }) => waitForServiceCall(s.t, s.tenant, entry.record.id, 'persisted')));
    const agents = await s.db.query('SELECT count(*)::int AS n FROM agents WHERE tenant_id = $1', [s.tenant.tenantId]);
    expect(agents[0].n).toBe(names.length);

    const reports = await drainReports(queue);
    // Seven full batches, counted once each, whichever job ran them.
    expect(reports.reduce((sum, report) => sum + report.claimed, 0)).toBe(names.length);
    expect(reports.reduce((sum, report) => sum + report.persisted, 0)).toBe(names.length);
    expect(reports.reduce((sum, report) => sum + report.batches, 0)).toBe(names.length / BATCH_SIZE);
    for (const report of reports) {
      expect(report.batches).toBeLessThanOrEqual(BATCHES_PER_JOB);
      expect(report.claimed).toBeLessThanOrEqual(report.batches * BATCH_SIZE);
    }
    // The first job found the whole backlog due and ran as many batches as it may.
    expect(Math.max(...reports.map((report) => report.batches))).toBe(BATCHES_PER_JOB);
  });
});
