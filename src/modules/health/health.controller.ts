import { Controller, Get, Logger, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorResult, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '../../common/auth/public.decorator';
import { QueuesHealthIndicator } from './queues.health';
import { RedisHealthIndicator } from './redis.health';

/** Each dependency's up/down status, without the reason (an error message may name hosts and ports). */
function statusesOnly(result: Partial<HealthIndicatorResult> | undefined): HealthIndicatorResult | undefined {
  if (!result) return undefined;
  return Object.fromEntries(Object.entries(result).map(([key, value]) => [key, { status: value?.status }])) as HealthIndicatorResult;
}

@ApiTags('health')
@Public()
@SkipThrottle()
@Controller('health')
export class HealthController {
  private readonly logger = new Logger('Health');

  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly queues: QueuesHealthIndicator,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  /**
   * Public (load balancers call it), so a 503 names which dependency is down but not why: the
   * reasons go to the log.
   */
  @Get('ready')
  @ApiOperation({ summary: 'Readiness: PostgreSQL, Redis and the queues answer (503 naming the ones down otherwise; the reasons are logged)' })
  @HealthCheck()
  async ready(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([
        () => this.database.pingCheck('database').withTimeout(2000),
        () => this.redis.pingCheck('redis').withTimeout(2000),
        () => this.queues.pingCheck('queues').withTimeout(2000),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const result = error.getResponse() as HealthCheckResult;
      this.logger.warn(`Not ready: ${JSON.stringify(result.error)}`);
      throw new ServiceUnavailableException({
        status: result.status,
        info: statusesOnly(result.info),
        error: statusesOnly(result.error),
        details: statusesOnly(result.details),
      });
    }
  }
}
