import { ApiProperty } from '@nestjs/swagger';
import { SystemMetric } from '../system-metric.entity';
import { PageOf } from '../../../common/http/collections';

export class SystemMetricResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'queue.depth' })
  name: string;

  @ApiProperty({ example: 42.5 })
  value: number;

  @ApiProperty({ type: String, nullable: true, example: 'jobs' })
  unit: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true })
  tags: Record<string, unknown>;

  @ApiProperty({ format: 'date-time', description: 'When the value was observed (the time of the POST unless given)' })
  recordedAt: string;

  static from(metric: SystemMetric): SystemMetricResponse {
    return {
      id: metric.id,
      name: metric.name,
      value: metric.value,
      unit: metric.unit,
      tags: metric.tags,
      recordedAt: metric.recordedAt.toISOString(),
    };
  }
}

export class SystemMetricPage extends PageOf(SystemMetricResponse) {}
