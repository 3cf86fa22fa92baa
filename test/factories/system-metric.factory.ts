import { CreateSystemMetricDto } from '../../src/modules/metrics/dto/create-system-metric.dto';

/** A valid `POST /system-metrics` body; pass overrides for what the test is about. */
export function makeSystemMetric(overrides: Partial<CreateSystemMetricDto> = {}): CreateSystemMetricDto {
  return {
    name: 'queue.depth',
    value: 12.5,
    unit: 'jobs',
    tags: { queue: 'persistence' },
    ...overrides,
  };
}
