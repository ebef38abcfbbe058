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
import { CurrentPrincipal, Principal, RequiresKey, TenantId } from '@twofold/platform/auth';
import { CorrelationId, IdParam } from '@twofold/platform/http';
import { CreateExportDto, ExportDto } from './dto/export.dto';
import { ExportsService, toExportDto } from './exports.service';

const ExportId = () => IdParam('id', 'export_not_found', 'The export');

@ApiTags('exports')
@RequiresKey('tenant')
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
  async create(
    @TenantId() tenantId: string,
    @Body() body: CreateExportDto,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<ExportDto> {
    const requestedBy = principal.kind === 'tenant' ? principal.apiKeyId : null;
    return toExportDto(await this.exports.create(tenantId, body, requestedBy, correlationId));
  }

  @Get(':id')
  @ApiOkResponse({ type: ExportDto })
  @ApiNotFoundResponse()
  async get(@TenantId() tenantId: string, @ExportId() id: string): Promise<ExportDto> {
    return toExportDto(await this.exports.get(tenantId, id));
  }

  @Get(':id/download')
  @ApiOperation({ summary: 'The file of a finished export (409 before, 410 after its retention).' })
  @ApiProduces('text/csv', 'application/x-ndjson', 'application/json', 'application/gzip')
  @ApiGoneResponse({ description: '`export_expired`' })
  async download(
    @TenantId() tenantId: string,
    @ExportId() id: string,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const file = await this.exports.download(tenantId, id);
    return reply
      .header('content-type', file.contentType)
      .header('content-disposition', `attachment; filename="${file.fileName}"`)
      .header('cache-control', 'no-store')
      .send(file.stream);
  }
}
