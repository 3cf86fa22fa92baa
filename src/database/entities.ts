import { ApiKeyEntity } from '../common/auth/api-key.entity';
import { DomainEventEntity } from '../common/events/domain-event.entity';
import { Agent } from '../modules/agents/agent.entity';

/**
 * Every entity, listed explicitly: one list for the app, the migration CLI and the tests
 * (TypeORM's globbing loads files with a bare `require`, which bypasses transpilers).
 */
export const entities = [ApiKeyEntity, DomainEventEntity, Agent];
