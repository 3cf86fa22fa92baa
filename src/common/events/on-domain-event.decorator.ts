import { OnEvent } from '@nestjs/event-emitter';
import { DomainEventType } from './event-catalog';

/**
 * Subscribes a provider method to committed domain events. Patterns may use wildcards:
 * `agent.*` (one segment) or `agent.**` (any depth). A listener that throws is logged and
 * counted by DomainEvents; it never fails the request nor stops the other listeners.
 */
export function OnDomainEvent(pattern: DomainEventType | `${string}.*` | `${string}.**` | '**'): MethodDecorator {
  return OnEvent(pattern, { suppressErrors: false });
}
