import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { HealthRecordsController } from './health-records.controller';
import { HealthRecordsRepository } from './health-records.repository';
import { HealthRecordsService } from './health-records.service';

/** The health records API. Liveness and readiness probes live in HealthModule, loaded in every role. */
@Module({
  imports: [AgentsModule],
  controllers: [HealthRecordsController],
  providers: [HealthRecordsService, HealthRecordsRepository],
  exports: [HealthRecordsService],
})
export class HealthRecordsModule {}
