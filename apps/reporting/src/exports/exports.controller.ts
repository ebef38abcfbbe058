import { Body, Controller, Get, HttpCode, Post, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiGoneResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Ctx, RequestCtx, RequiresKey, RequiresPermission } from '@twofold/platform/auth';
import { IdParam } from '@twofold/platform/http';
import { CreateExportDto, ExportDto } from './dto/export.dto';
import { ExportsService, toExportDto } from './exports.service';

const ExportId = () => IdParam('id', 'export_not_found', 'The export');

@ApiTags('exports')
@RequiresKey('tenant')
@RequiresPermission('reports:read')
@Controller('exports')
export class ExportsController {
  constructor(private readonly exports: ExportsService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Start an export job; follow its progress with GET, then download the file.',
    description:
      'A range covers at most 400 days. At most EXPORT_ACTIVE_PER_TENANT exports of a tenant are queued or running at once, and its files (done, not expired) take at most EXPORT_TENANT_QUOTA_BYTES; an export whose file would pass the quota ends `failed` and its file is deleted.',
  })
  @ApiAcceptedResponse({ type: ExportDto })
  @ApiBadRequestResponse({ description: '`validation_failed`: bad fields, or a range over 400 days.' })
  @ApiTooManyRequestsResponse({ description: '`export_limit_reached`, with Retry-After.' })
  @ApiConflictResponse({ description: '`export_quota_exceeded`: the tenant’s export files fill its quota.' })
  async create(@Ctx() ctx: RequestCtx, @Body() body: CreateExportDto): Promise<ExportDto> {
    const requestedBy = ctx.principal.kind === 'tenant' ? ctx.principal.apiKeyId : null;
    return toExportDto(await this.exports.create(ctx.tenantId, body, requestedBy, ctx.correlationId));
  }

  @Get(':id')
  @ApiOkResponse({ type: ExportDto })
  @ApiNotFoundResponse()
  async get(@Ctx() ctx: RequestCtx, @ExportId() id: string): Promise<ExportDto> {
    return toExportDto(await this.exports.get(ctx.tenantId, id));
  }

  @Get(':id/download')
  @ApiOperation({ summary: 'The file of a finished export (409 before, 410 after its retention).' })
  @ApiProduces('text/csv', 'application/x-ndjson', 'application/json', 'application/gzip')
  @ApiGoneResponse({ description: '`export_expired`' })
  async download(@Ctx() ctx: RequestCtx, @ExportId() id: string, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const file = await this.exports.download(ctx.tenantId, id);
    return reply
      .header('content-type', file.contentType)
      .header('content-disposition', `attachment; filename="${file.fileName}"`)
      .header('cache-control', 'no-store')
      .send(file.stream);
  }
}
