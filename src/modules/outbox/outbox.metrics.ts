import { counter, histogram } from '../../common/observability/metric';

/** Outcomes of processing attempts, by handler (`namespace/schema`) and outcome. */
export const persistenceOutcomes = counter({
  name: 'persistence_results_total',
  help: 'Service-call results processed, by handler and outcome (persisted, failed, dead_lettered, skipped)',
  labelNames: ['handler', 'outcome'],
});

export const intakeToPersisted = histogram({
  name: 'persistence_intake_to_persisted_seconds',
  help: 'Time from the 202 of POST /service-calls to the commit of the domain rows',
  labelNames: ['handler'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
});

/** Jobs of another database that reached this worker through a shared Redis and key prefix. */
export const foreignJobs = counter({
  name: 'outbox_foreign_jobs_total',
  help: 'Queue jobs refused because they belong to another database sharing this Redis and QUEUE_PREFIX',
  labelNames: ['job'],
});

/** Intake requests whose wake-up of the workers failed (Redis away): the sweeper enqueues their records later. */
export const intakeWakeFailures = counter({
  name: 'persistence_intake_wake_failures_total',
  help: 'Intake requests whose records were stored but whose wake-up of the workers did not reach Redis (the sweeper catches up)',
});

/** Results dead-lettered by the intake itself: their handler's schema refused them. */
export const intakeRefusedResults = counter({
  name: 'persistence_intake_invalid_results_total',
  help: 'Results stored and dead-lettered at intake because they do not match their handler schema, by handler',
  labelNames: ['handler'],
});
