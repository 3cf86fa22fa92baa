import { ApiProperty } from '@nestjs/swagger';
import { ApiAgentKey } from '../../agent-keys';
import { AgentMetricsView } from '../agent-metrics.service';

export class AgentMetricsResponse implements AgentMetricsView {
  @ApiProperty({ format: 'uuid' })
  agentId: string;

  @ApiAgentKey('agentId')
  agentKey: string | null;

  @ApiProperty({ type: 'integer', example: 12, description: 'Tasks of the agent that finished, completed or failed' })
  totalTasks: number;

  @ApiProperty({ type: 'integer', example: 10 })
  completedTasks: number;

  @ApiProperty({ type: 'integer', example: 2 })
  failedTasks: number;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 5400,
    description: 'Mean duration of the finished tasks that reported one; null before the first',
  })
  avgDurationMs: number | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 0.8333,
    description: 'completed / (completed + failed); null before the first finished task',
  })
  successRate: number | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When a counter last moved; null before the first finished task' })
  updatedAt: string | null;
}
