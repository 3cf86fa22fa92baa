import { Module } from '@nestjs/common';
import { collectDefaultMetrics, register } from 'prom-client';
import { MetricsController } from './metrics.controller';

// Process metrics (CPU, memory, event loop lag, GC), registered once per process.
if (!register.getSingleMetric('process_cpu_seconds_total')) collectDefaultMetrics();

@Module({ controllers: [MetricsController] })
export class MetricsModule {}
