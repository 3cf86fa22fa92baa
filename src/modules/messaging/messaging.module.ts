import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { AgentMessageHandler } from './agent-message.handler';
import { MessagingController } from './messaging.controller';
import { MessagingRepository } from './messaging.repository';
import { MessagingService } from './messaging.service';

@Module({
  imports: [AgentsModule],
  controllers: [MessagingController],
  providers: [MessagingService, MessagingRepository, AgentMessageHandler],
  exports: [MessagingService],
})
export class MessagingModule {}
