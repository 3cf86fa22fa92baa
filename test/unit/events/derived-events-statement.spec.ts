import { RequestContext } from '../../../src/common/auth/request-context';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DerivedEvent, derivedEventsStatement, DomainEvents } from '../../../src/common/events/domain-events.service';
import { NewDomainEvent } from '../../../src/common/events/event-catalog';

const EVENTS: readonly DerivedEvent[] = [
  { type: 'task.updated', aggregateType: 'task', aggregateId: 'u.id', aggregateVersion: 'u.version', payload: '$1::jsonb' },
  { type: 'task.status_changed', aggregateType: 'task', aggregateId: 'u.id', aggregateVersion: 'u.version', payload: 'u.payload' },
];

function context(tenantId: string, correlationId: string): RequestContext {
  return { tenantId, actorId: 'tester', keyId: null, correlationId };
}

describe('derivedEventsStatement', () => {
  it("appends each call's own context and event types, and numbers the text from where its parameters start", () => {
    const first: unknown[] = ['payload'];
    const text = derivedEventsStatement(context('acme', 'c-1'), 'updated u', EVENTS, first);
    expect(first).toEqual(['payload', 'acme', 'tester', null, 'c-1', 'task.updated', 'task', 'task.status_changed', 'task']);
    expect(text).toContain('SELECT $2::text, $3::text, $4::uuid, $5::text');
    expect(text).toContain('(0, $6::text, $7::text, u.id, u.version, $1::jsonb), (1, $8::text, $9::text, u.id, u.version, u.payload)');

    const second: unknown[] = ['payload'];
    expect(derivedEventsStatement(context('globex', 'c-2'), 'updated u', EVENTS, second)).toBe(text);
    expect(second).toEqual(['payload', 'globex', 'tester', null, 'c-2', 'task.updated', 'task', 'task.status_changed', 'task']);

    const later: unknown[] = ['a', 'b', 'c'];
    const shifted = derivedEventsStatement(context('acme', 'c-3'), 'updated u', EVENTS, later);
    expect(shifted).toContain('SELECT $4::text, $5::text, $6::uuid, $7::text');
    expect(shifted).toContain('(0, $8::text, $9::text, u.id');
    expect(derivedEventsStatement(context('acme', 'c-4'), 'changed c', EVENTS, ['payload'])).toContain('FROM changed c CROSS JOIN LATERAL');
  });

  it('refuses a second event that carries its id, every time', () => {
    const numbered: readonly DerivedEvent[] = EVENTS.map((event) => ({ ...event, id: 'r.event_id_' }));
    for (let i = 0; i < 2; i++) expect(() => derivedEventsStatement(context('acme', 'c'), 'inserted r', numbered, [])).toThrow(/single derived event/);
  });
});

describe('DomainEvents.insertStatement of one event', () => {
  const events = new DomainEvents(new EventEmitter2());
  const registered = (agentId: string): NewDomainEvent => ({
    type: 'agent.registered',
    aggregateType: 'agent',
    aggregateId: agentId,
    aggregateVersion: 1,
    payload: { agentId, key: null, name: agentId, role: 'worker', status: 'idle' },
  });

  it("appends the call's own values and keeps one text per place of its first parameter", () => {
    const first: unknown[] = ['row'];
    const text = events.insertStatement(context('acme', 'c-1'), [registered('a-1')], first);
    expect(text).toContain('VALUES ($2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING');
    expect(first).toEqual(['row', 'acme', 'tester', null, 'c-1', 'agent.registered', 'agent', 'a-1', 1, JSON.stringify(registered('a-1').payload)]);

    const second: unknown[] = ['row'];
    expect(events.insertStatement(context('globex', 'c-2'), [registered('a-2')], second)).toBe(text);
    expect(second.slice(1, 5)).toEqual(['globex', 'tester', null, 'c-2']);
    expect(second[7]).toBe('a-2');

    expect(events.insertStatement(context('acme', 'c-3'), [registered('a-3')], [])).toContain('VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING');
  });
});
