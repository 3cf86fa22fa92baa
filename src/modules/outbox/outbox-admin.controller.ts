import { Body, Get, HttpCode, HttpStatus, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AdminTenantsOnly } from '../../common/auth/admin-tenants.guard';
import { Ctx } from '../../common/auth/ctx.decorator';
import { RequestContext } from '../../common/auth/request-context';
import { ApiController } from '../../common/http/route-decorators';
import { AdminDeadLetterPage, AdminDeadLetterResponse, AdminDeadLettersQuery, AdminRedriveDto, AdminRedriveResponse } from './dto/admin-dead-letters.dto';
import { OutboxAdminService } from './outbox-admin.service';

@ApiController('admin/dead-letters', 'admin')
@AdminTenantsOnly()
export class OutboxAdminController {
  constructor(private readonly admin: OutboxAdminService) {}

  @Get()
  @ApiOperation({
    summary: "Every tenant's dead letters, oldest first, with reason, attempts and record ids (admin tenants only)",
  })
  @ApiOkResponse({ type: AdminDeadLetterPage })
  async list(@Query() query: AdminDeadLettersQuery): Promise<AdminDeadLetterPage> {
    const { limit, cursor, ...selection } = query;
    const page = await this.admin.list(selection, { limit, cursor });
    return { items: page.items.map(({ record, handler }) => AdminDeadLetterResponse.from(record, handler)), nextCursor: page.nextCursor };
  }

  @Post('redrive')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Redrive dead letters of any tenant by ids or by filter (admin tenants only)',
    description:
      'Puts the records back in line with their attempts reset and their priority kept; each gets a persistence.redriven event ' +
      "in its tenant's trail with the caller as actor. Idempotent: a record no longer dead-lettered is left alone. At most " +
      'ADMIN_REDRIVE_LIMIT (10,000) per call: when more match, send the same body again with `cursor` set to `nextCursor`. ' +
      '`dryRun: true` only counts every match and changes nothing.',
  })
  @ApiOkResponse({ type: AdminRedriveResponse })
  async redrive(@Ctx() ctx: RequestContext, @Body() body: AdminRedriveDto): Promise<AdminRedriveResponse> {
    const { dryRun, cursor, ...selection } = body;
    return this.admin.redrive(ctx, selection, { dryRun, cursor });
  }
}
