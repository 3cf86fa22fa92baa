export const SystemMetricEvents = {
  recorded: 'system_metric.recorded',
} as const;

export interface SystemMetricRecordedPayload {
  systemMetricId: string;
  name: string;
  value: number;
}

declare module '../../common/events/event-catalog' {
  interface DomainEventCatalog {
    'system_metric.recorded': SystemMetricRecordedPayload;
  }
}
