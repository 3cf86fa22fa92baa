import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQueryDto } from '../../../common/http/page-query.dto';
import { MESSAGE_DIRECTIONS, MessageDirection } from '../messaging.repository';

export class ListAgentMessagesQuery extends PageQueryDto {
  @ApiPropertyOptional({
    enum: MESSAGE_DIRECTIONS,
    default: 'both',
    description: 'in: messages the agent received; out: messages it sent; both: either',
  })
  @IsOptional()
  @IsIn(MESSAGE_DIRECTIONS)
  direction: MessageDirection = 'both';
}
