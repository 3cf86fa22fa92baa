import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { register } from 'prom-client';
import { Public } from '../auth/public.decorator';
import { METRICS_SECURITY } from '../http/openapi/openapi-document';
import { MetricsAccessGuard } from './metrics-access.guard';

/** Public to the API-key guard: its own guard applies METRICS_AUTH (a token or an admin tenant's key). */
@ApiTags('metrics')
@Public()
@UseGuards(MetricsAccessGuard)
@SkipThrottle()
@Controller('metrics')
export class PrometheusController {
  @Get()
  @ApiOperation({ summary: 'Prometheus metrics (with METRICS_AUTH on: METRICS_TOKEN or an admin tenant’s key as a bearer token)' })
  @ApiBearerAuth(METRICS_SECURITY)
  @ApiProduces('text/plain')
  @Header('Content-Type', register.contentType)
  metrics(): Promise<string> {
    return register.metrics();
  }
}
