import { ValidationFailedError } from '../../../src/common/errors';
import { typeFilter } from '../../../src/modules/events/event-type-pattern';

function matches(pattern: string, type: string): boolean {
  const filter = typeFilter(pattern);
  return 'exact' in filter ? filter.exact === type : new RegExp(filter.regex).test(type);
}

describe('event type filter', () => {
  it('keeps an exact name as an equality', () => {
    expect(typeFilter('agent.registered')).toEqual({ exact: 'agent.registered' });
  });

  it('matches one segment with * and any depth with **, like the in-process emitter', () => {
    expect(matches('agent.*', 'agent.registered')).toBe(true);
    expect(matches('agent.*', 'agent.status_changed')).toBe(true);
    expect(matches('agent.*', 'agents.registered')).toBe(false);
    expect(matches('agent.*', 'agent.a.b')).toBe(false);
    expect(matches('agent.**', 'agent.a.b')).toBe(true);
    expect(matches('*.deleted', 'agent.deleted')).toBe(true);
    expect(matches('*.deleted', 'agent.updated')).toBe(false);
    expect(matches('**', 'persistence.persisted')).toBe(true);
  });

  it('rejects anything that is not segments of a-z, 0-9, _ or wildcards (no SQL or regex can get through)', () => {
    for (const bad of ['agent.%', "agent'; DROP TABLE agents; --", 'agent..x', 'agent.(a|b)', '', 'Agent.X', 'a.***']) {
      expect(() => typeFilter(bad), bad).toThrow(ValidationFailedError);
    }
  });
});
