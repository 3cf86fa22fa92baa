import { HealthStatus } from './health-record.entity';

export const HealthRecordEvents = {
  recorded: 'health_record.recorded',
} as const;

export interface HealthRecordRecordedPayload {
  healthRecordId: string;
  component: string;
  status: HealthStatus;
  agentId: string | null;
}

declare module '../../common/events/event-catalog' {
  interface DomainEventCatalog {
    'health_record.recorded': HealthRecordRecordedPayload;
  }
}
