import { CreateAgentDto } from './create-agent.dto';
import { BulkItems } from '../../../common/http/collections';

export const MAX_BULK_AGENTS = 1000;

export class BulkCreateAgentsDto {
  @BulkItems(CreateAgentDto, MAX_BULK_AGENTS)
  items: CreateAgentDto[];
}
