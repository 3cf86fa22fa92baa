import { EventEmitter2 } from 'eventemitter2';
import { register } from 'prom-client';
import { DomainEventEnvelope } from '../../../src/common/events/event-catalog';
import { DomainEvents } from '../../../src/common/events/domain-events.service';

function envelope(i: number): DomainEventEnvelope {
  return {
    id: String(i),
    type: 'action_log.recorded',
    aggregateType: 'action_log',
    aggregateId: `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`,
    aggregateVersion: null,
    payload: { actionLogId: 'x', actionType: 'step', agentId: null, traceId: null },
    tenantId: 'acme',
    actorId: 'tester',
    keyId: null,
    correlationId: null,
    occurredAt: new Date(0).toISOString(),
  };
}

async function failures(): Promise<number> {
  const metric = await register.getSingleMetric('domain_event_listener_failures_total')?.get();
  return metric?.values.find((v) => v.labels.event === 'action_log.recorded')?.value ?? 0;
}

describe('DomainEvents.publish', () => {
  it('runs every matching listener for each event in order, finishing an event’s async listeners before the next event', async () => {
    const emitter = new EventEmitter2({ wildcard: true, delimiter: '.' });
    const log: string[] = [];
    emitter.on('**', (event: DomainEventEnvelope) => void log.push(`sync ${event.id}`));
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- a listener may be async: publish awaits it
    emitter.on('action_log.*', async (event: DomainEventEnvelope) => {
      log.push(`async start ${event.id}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      log.push(`async end ${event.id}`);
    });
    emitter.on('job_result.recorded', () => void log.push('never'));
    await new DomainEvents(emitter).publish([envelope(1), envelope(2)]);
    // Within one event the emitter orders its listeners; across events, publication is in order.
    expect(log.slice(0, 3).sort()).toEqual(['async end 1', 'async start 1', 'sync 1']);
    expect(log.slice(3).sort()).toEqual(['async end 2', 'async start 2', 'sync 2']);
    expect(log.indexOf('async end 1')).toBeGreaterThan(log.indexOf('async start 1'));
  });

  it('counts a listener that throws or rejects, and still runs the others and the later events', async () => {
    const emitter = new EventEmitter2({ wildcard: true, delimiter: '.' });
    const seen: string[] = [];
    emitter.on('**', () => {
      throw new Error('sync failure');
    });
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- a listener may be async: publish counts its rejection
    emitter.on('action_log.recorded', () => Promise.reject(new Error('async failure')));
    emitter.on('action_log.recorded', (event: DomainEventEnvelope) => void seen.push(event.id));
    const before = await failures();
    await expect(new DomainEvents(emitter).publish([envelope(1), envelope(2), envelope(3)])).resolves.toBeUndefined();
    expect(seen).toEqual(['1', '2', '3']);
    expect(await failures()).toBe(before + 6);
  });
});
