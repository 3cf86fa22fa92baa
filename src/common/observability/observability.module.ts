import { Module } from '@nestjs/common';
import { collectDefaultMetrics, register } from 'prom-client';
import { MetricsAccessGuard } from './metrics-access.guard';
import { PrometheusController } from './prometheus.controller';

// Process metrics (CPU, memory, event loop lag, GC), registered once per process.
if (!register.getSingleMetric('process_cpu_seconds_total')) collectDefaultMetrics();

/** `/metrics` for Prometheus, in every role. Modules register their own metrics (see metric.ts). */
@Module({ controllers: [PrometheusController], providers: [MetricsAccessGuard] })
export class ObservabilityModule {}
