import { Body, Get, HttpStatus, Param, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Ctx } from '../../common/auth/ctx.decorator';
import { RequestContext } from '../../common/auth/request-context';
import { ApiProblems } from '../../common/http/api-problems.decorator';
import { ErrorCode } from '../../common/errors';
import { ExpectedVersion, OptionalExpectedVersion } from '../../common/http/expected-version.decorator';
import { ParseIdPipe } from '../../common/http/parse-id.pipe';
import { BulkImportIntegratedObjectsDto, ImportIntegratedObjectDto } from './dto/import-integrated-object.dto';
import { IntegratedObjectList, IntegratedObjectPage, IntegratedObjectResponse } from './dto/integrated-object.response';
import { ListIntegratedObjectsQuery } from './dto/list-integrated-objects.query';
import { UpdateSummaryDto } from './dto/update-summary.dto';
import { IntegrationsService } from './integrations.service';
import { ApiController, VersionedDelete, VersionedPatch } from '../../common/http/route-decorators';
import { CreatedResponse } from '../../common/http/created-response';

@ApiController('integrated-objects', 'integrations')
export class IntegrationsController {
  constructor(private readonly integrations: IntegrationsService) {}

  @Post()
  @ApiOperation({
    summary: 'Import an object from a platform',
    description:
      "201 for a new (platform, companyId, originalId): two companies' objects with one originalId are two objects. " +
      'The same (platform, companyId, originalId) again updates the stored object ' +
      'with the fields sent (200, new version); an identical re-import changes nothing (200, same version).',
  })
  @CreatedResponse('integrated-objects', IntegratedObjectResponse, 'Imported for the first time')
  @ApiOkResponse({ type: IntegratedObjectResponse, description: 'Known already: updated, or unchanged' })
  @ApiProblems(ErrorCode.ImportContended)
  async import(
    @Ctx() ctx: RequestContext,
    @Body() body: ImportIntegratedObjectDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<IntegratedObjectResponse> {
    const { object, created } = await this.integrations.import(ctx, body);
    void reply.status(created ? HttpStatus.CREATED : HttpStatus.OK);
    return IntegratedObjectResponse.from(object);
  }

  @Post('bulk')
  @ApiOperation({ summary: 'Import up to 1000 objects in one transaction, each as POST /integrated-objects would: all or none' })
  @ApiCreatedResponse({ type: IntegratedObjectList })
  @ApiProblems(ErrorCode.ImportContended)
  async importMany(@Ctx() ctx: RequestContext, @Body() body: BulkImportIntegratedObjectsDto): Promise<IntegratedObjectList> {
    const objects = await this.integrations.importMany(ctx, body.items);
    return { items: objects.map((object) => IntegratedObjectResponse.from(object)) };
  }

  @Get()
  @ApiOperation({ summary: 'List integrated objects, oldest first, by company, object type and platform' })
  @ApiOkResponse({ type: IntegratedObjectPage })
  async list(@Ctx() ctx: RequestContext, @Query() query: ListIntegratedObjectsQuery): Promise<IntegratedObjectPage> {
    const filters = { companyId: query.companyId, objectType: query.objectType, platform: query.platform };
    const page = await this.integrations.list(ctx, filters, query);
    return { items: page.items.map((object) => IntegratedObjectResponse.from(object)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get an integrated object (the ETag header carries its version)' })
  @ApiOkResponse({ type: IntegratedObjectResponse })
  @ApiProblems(ErrorCode.NotFound)
  async get(@Ctx() ctx: RequestContext, @Param('id', ParseIdPipe) id: string): Promise<IntegratedObjectResponse> {
    return IntegratedObjectResponse.from(await this.integrations.get(ctx, id));
  }

  @VersionedPatch(':id/summary', { summary: 'Set or clear the summary; needs If-Match or version' }, IntegratedObjectResponse)
  async updateSummary(
    @Ctx() ctx: RequestContext,
    @Param('id', ParseIdPipe) id: string,
    @ExpectedVersion() expectedVersion: number,
    @Body() body: UpdateSummaryDto,
  ): Promise<IntegratedObjectResponse> {
    return IntegratedObjectResponse.from(await this.integrations.updateSummary(ctx, id, expectedVersion, body.summary));
  }

  @VersionedDelete(':id', { summary: 'Delete an integrated object (guarded by If-Match when sent)' })
  async remove(@Ctx() ctx: RequestContext, @Param('id', ParseIdPipe) id: string, @OptionalExpectedVersion() expectedVersion?: number): Promise<void> {
    await this.integrations.remove(ctx, id, expectedVersion);
  }
}
