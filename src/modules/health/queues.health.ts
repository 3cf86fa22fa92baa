import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { HealthCheckAttempt, HealthIndicatorService } from '@nestjs/terminus';
import type { Queue } from 'bullmq';
import { PERSISTENCE_QUEUE } from '../../common/queues/queue-names';

/** The queues are reachable when the persistence queue answers a count through its own connection. */
@Injectable()
export class QueuesHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @InjectQueue(PERSISTENCE_QUEUE) private readonly queue: Queue,
  ) {}

  pingCheck<Key extends string>(key: Key): HealthCheckAttempt<Key> {
    return this.health.check(key).attempt(async () => {
      const { waiting } = await this.queue.getJobCounts('waiting');
      return { queue: this.queue.name, waiting };
    });
  }
}
