import { randomUUID } from 'node:crypto';
import { makeAgent } from './agent.factory';

/** A valid `POST /service-calls` body; by default an agent registration result. */
export function makeServiceCall(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    callId: `call-${randomUUID()}`,
    namespace: 'core',
    schema: 'agent.registration@1',
    result: makeAgent(),
    ...overrides,
  };
}
