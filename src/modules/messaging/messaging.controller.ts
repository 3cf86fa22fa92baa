import { Body, Get, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { Ctx } from '../../common/auth/ctx.decorator';
import { RequestContext } from '../../common/auth/request-context';
import { ApiProblems } from '../../common/http/api-problems.decorator';
import { ErrorCode } from '../../common/errors';
import { ExpectedVersion, OptionalExpectedVersion } from '../../common/http/expected-version.decorator';
import { ApiController, VersionedDelete, VersionedPatch } from '../../common/http/route-decorators';
import { PageQueryDto } from '../../common/http/page-query.dto';
import { ParseIdPipe } from '../../common/http/parse-id.pipe';
import { CreateMessageDto } from './dto/create-message.dto';
import { ListAgentMessagesQuery } from './dto/list-agent-messages.query';
import { MessagePage, MessageResponse } from './dto/message.response';
import { UpdateMessageStatusDto } from './dto/update-message-status.dto';
import { MessagingService } from './messaging.service';
import { CreatedResponse } from '../../common/http/created-response';

@ApiController(undefined, 'messages')
export class MessagingController {
  constructor(private readonly messaging: MessagingService) {}

  @Post('messages')
  @ApiOperation({
    summary: 'Send a message from one of your agents to another, optionally about one of your tasks',
    description: 'The message starts as sent, with sentAt now. An agent or task id you cannot see is a 422 naming the field.',
  })
  @CreatedResponse('messages', MessageResponse)
  @ApiProblems(ErrorCode.Unprocessable)
  async send(@Ctx() ctx: RequestContext, @Body() body: CreateMessageDto): Promise<MessageResponse> {
    const { value: message, agentKeys } = await this.messaging.send(ctx, body);
    return MessageResponse.from(message, agentKeys);
  }

  @Get('messages/:id')
  @ApiOperation({ summary: 'Get a message (the ETag header carries its version)' })
  @ApiOkResponse({ type: MessageResponse })
  @ApiProblems(ErrorCode.NotFound)
  async get(@Ctx() ctx: RequestContext, @Param('id', ParseIdPipe) id: string): Promise<MessageResponse> {
    const { value: message, agentKeys } = await this.messaging.get(ctx, id);
    return MessageResponse.from(message, agentKeys);
  }

  @VersionedPatch(
    'messages/:id',
    {
      summary: 'Change the status of a message; needs If-Match or version',
      description:
        'sent → received | failed, received → processed | failed; processed and failed are final, anything else is 422. ' +
        'received sets receivedAt; processed sets processedAt, and so does failed (when handling ended). The agent may send the ' +
        'instant it saw (receivedAt with received, processedAt with processed or failed): not in the future beyond a minute of clock ' +
        'skew (400), not before the message was sent or received (422).',
    },
    MessageResponse,
    ErrorCode.Unprocessable,
  )
  async changeStatus(
    @Ctx() ctx: RequestContext,
    @Param('id', ParseIdPipe) id: string,
    @ExpectedVersion() expectedVersion: number,
    @Body() body: UpdateMessageStatusDto,
  ): Promise<MessageResponse> {
    const { value: message, agentKeys } = await this.messaging.changeStatus(ctx, id, expectedVersion, body);
    return MessageResponse.from(message, agentKeys);
  }

  @Get('agents/:id/messages')
  @ApiOperation({ summary: 'Messages an agent received, sent, or both, oldest first' })
  @ApiOkResponse({ type: MessagePage })
  @ApiProblems(ErrorCode.NotFound)
  async listForAgent(@Ctx() ctx: RequestContext, @Param('id', ParseIdPipe) agentId: string, @Query() query: ListAgentMessagesQuery): Promise<MessagePage> {
    const { value: page, agentKeys } = await this.messaging.listForAgent(ctx, agentId, query.direction, query);
    return { items: page.items.map((message) => MessageResponse.from(message, agentKeys)), nextCursor: page.nextCursor };
  }

  @VersionedDelete('messages/:id', { summary: 'Delete a message (guarded by If-Match when sent)' })
  async remove(@Ctx() ctx: RequestContext, @Param('id', ParseIdPipe) id: string, @OptionalExpectedVersion() expectedVersion?: number): Promise<void> {
    await this.messaging.remove(ctx, id, expectedVersion);
  }

  @Get('tasks/:id/messages')
  @ApiOperation({ summary: 'Messages about a task, oldest first' })
  @ApiOkResponse({ type: MessagePage })
  @ApiProblems(ErrorCode.NotFound)
  async listForTask(@Ctx() ctx: RequestContext, @Param('id', ParseIdPipe) taskId: string, @Query() query: PageQueryDto): Promise<MessagePage> {
    const { value: page, agentKeys } = await this.messaging.listForTask(ctx, taskId, query);
    return { items: page.items.map((message) => MessageResponse.from(message, agentKeys)), nextCursor: page.nextCursor };
  }
}
