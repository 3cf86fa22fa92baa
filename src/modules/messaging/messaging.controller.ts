import { Body, Controller, Get, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Ctx } from '../../common/auth/ctx.decorator';
import { RequestContext } from '../../common/auth/request-context';
import { ApiProblems } from '../../common/http/api-problems.decorator';
import { ExpectedVersion, IF_MATCH_HEADER } from '../../common/http/expected-version.decorator';
import { ParseIdPipe } from '../../common/http/parse-id.pipe';
import { CreateMessageDto } from './dto/create-message.dto';
import { ListAgentMessagesQuery } from './dto/list-agent-messages.query';
import { MessagePage, MessageResponse } from './dto/message.response';
import { UpdateMessageStatusDto } from './dto/update-message-status.dto';
import { MessagingService } from './messaging.service';

@ApiTags('messages')
@ApiSecurity('api-key')
@ApiProblems(HttpStatus.BAD_REQUEST, HttpStatus.UNAUTHORIZED)
@Controller()
export class MessagingController {
  constructor(private readonly messaging: MessagingService) {}

  @Post('messages')
  @ApiOperation({
    summary: 'Send a message from one of your agents to another, optionally about one of your tasks',
    description: 'The message starts as sent, with sentAt now. An agent or task id you cannot see is a 422 naming the field.',
  })
  @ApiCreatedResponse({ type: MessageResponse })
  @ApiProblems(HttpStatus.UNPROCESSABLE_ENTITY)
  async send(@Ctx() ctx: RequestContext, @Body() body: CreateMessageDto): Promise<MessageResponse> {
    return MessageResponse.from(await this.messaging.send(ctx, body));
  }

  @Get('messages/:id')
  @ApiOperation({ summary: 'Get a message (the ETag header carries its version)' })
  @ApiOkResponse({ type: MessageResponse })
  @ApiProblems(HttpStatus.NOT_FOUND)
  async get(@Ctx() ctx: RequestContext, @Param('id', ParseIdPipe) id: string): Promise<MessageResponse> {
    return MessageResponse.from(await this.messaging.get(ctx, id));
  }

  @Patch('messages/:id')
  @ApiOperation({
    summary: 'Change the status of a message; needs If-Match or version',
    description:
      'sent → received | failed, received → processed | failed; processed and failed are final, anything else is 422. ' +
      'received sets receivedAt; processed sets processedAt, and so does failed (when handling ended).',
  })
  @ApiHeader(IF_MATCH_HEADER)
  @ApiOkResponse({ type: MessageResponse })
  @ApiProblems(HttpStatus.NOT_FOUND, HttpStatus.CONFLICT, HttpStatus.UNPROCESSABLE_ENTITY, HttpStatus.PRECONDITION_REQUIRED)
  async changeStatus(
    @Ctx() ctx: RequestContext,
    @Param('id', ParseIdPipe) id: string,
    @ExpectedVersion() expectedVersion: number,
    @Body() body: UpdateMessageStatusDto,
  ): Promise<MessageResponse> {
    return MessageResponse.from(await this.messaging.changeStatus(ctx, id, expectedVersion, body.status));
  }

  @Get('agents/:id/messages')
  @ApiOperation({ summary: 'Messages an agent received, sent, or both, oldest first' })
  @ApiOkResponse({ type: MessagePage })
  @ApiProblems(HttpStatus.NOT_FOUND)
  async listForAgent(
    @Ctx() ctx: RequestContext,
    @Param('id', ParseIdPipe) agentId: string,
    @Query() query: ListAgentMessagesQuery,
  ): Promise<MessagePage> {
    const page = await this.messaging.listForAgent(ctx, agentId, query.direction, query);
    return { items: page.items.map((message) => MessageResponse.from(message)), nextCursor: page.nextCursor };
  }
}
