import type { Queue } from 'bullmq';
import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { adminIdentityOf } from '../auth/admin-auth.hook';

/** Bull Board's retry actions: one job, or every job of a state. */
const RETRY_ROUTES = [/\/api\/queues\/:queueName\/:jobId\/retry$/, /\/api\/queues\/:queueName\/retry\/:queueStatus$/];
const PAGE = 500;

export function isBoardRetryRoute(url: string): boolean {
  return RETRY_ROUTES.some((route) => route.test(url));
}

/**
 * Runs before Bull Board's retry actions: writes the name and id of the admin key that retries a job
 * into the job's data (`retriedBy`, `retriedByKeyId`), so that whatever the retry does (a redrive of a
 * dead letter) is attributed to that person. The board itself only calls `job.retry()`, which carries no actor.
 */
export function boardRetryActorHook(queues: readonly Queue[]): preHandlerAsyncHookHandler {
  return async (request: FastifyRequest) => {
    const identity = adminIdentityOf(request);
    const { queueName, jobId, queueStatus } = request.params as Record<string, string | undefined>;
    const queue = queues.find((candidate) => candidate.name === queueName);
    if (!identity || !queue) return;
    const retriedBy = { retriedBy: identity.name, retriedByKeyId: identity.id };
    if (jobId !== undefined) {
      const job = await queue.getJob(jobId);
      if (job) await job.updateData({ ...job.data, ...retriedBy });
      return;
    }
    if (queueStatus !== 'failed' && queueStatus !== 'completed') return;
    for (let start = 0; ; start += PAGE) {
      const jobs = await queue.getJobs([queueStatus], start, start + PAGE - 1);
      await Promise.all(jobs.map((job) => job.updateData({ ...job.data, ...retriedBy })));
      if (jobs.length < PAGE) return;
    }
  };
}
