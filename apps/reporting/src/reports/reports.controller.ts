import { Controller, Get, Query, Res } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Ctx, RequestCtx, RequiresKey, RequiresPermission } from '@twofold/platform/auth';
import { ValidationError } from '@twofold/platform/errors';
import { CONTENT_TYPES, ReportFormatName } from '@twofold/reporting/domain';
import { AuthenticationReportPageDto, AuthenticationReportQueryDto, UsageReportQueryDto } from './dto/report-query.dto';
import { ReportsService } from './reports.service';

const MAX_RANGE_DAYS = 400;

function assertRange(from: string, to: string): void {
  const span = new Date(to).getTime() - new Date(from).getTime();
  if (span <= 0) throw new ValidationError([{ field: 'to', problems: ['to must be after from'] }]);
  if (span > MAX_RANGE_DAYS * 86_400_000) {
    throw new ValidationError([{ field: 'to', problems: [`a report covers at most ${MAX_RANGE_DAYS} days`] }]);
  }
}

function sendStream(
  reply: FastifyReply,
  format: ReportFormatName,
  name: string,
  body: NodeJS.ReadableStream,
): FastifyReply {
  return reply
    .header('content-type', CONTENT_TYPES[format])
    .header('content-disposition', `attachment; filename="${name}.${format}"`)
    .header('cache-control', 'no-store')
    .send(body);
}

@ApiTags('reports')
@RequiresKey('tenant')
@ApiTooManyRequestsResponse({
  description:
    '`report_busy`: the tenant already holds REPORT_CONNECTIONS_PER_TENANT report reads in this process; Retry-After.',
})
@ApiServiceUnavailableResponse({ description: '`reporting_unavailable`: no report connection within the wait.' })
@RequiresPermission('reports:read')
@Controller('reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get('authentications')
  @ApiOperation({
    summary:
      'Authentication records (R26: only the fields the provider keeps). With `format`, the whole range streams as CSV, NDJSON or JSON; without, JSON pages.',
  })
  @ApiProduces('application/json', 'text/csv', 'application/x-ndjson')
  @ApiOkResponse({ type: AuthenticationReportPageDto })
  async authentications(
    @Ctx() ctx: RequestCtx,
    @Query() query: AuthenticationReportQueryDto,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    assertRange(query.from, query.to);
    if (!query.format) return reply.send(await this.reports.authenticationPage(ctx.tenantId, query));
    return sendStream(
      reply,
      query.format,
      'authentications',
      await this.reports.authenticationStream(ctx.tenantId, query, query.format),
    );
  }

  @Get('usage')
  @ApiOperation({
    summary: 'Usage per provider and day or month: authentications by method and result, billable and licensed users.',
  })
  @ApiProduces('application/json', 'text/csv', 'application/x-ndjson')
  async usage(
    @Ctx() ctx: RequestCtx,
    @Query() query: UsageReportQueryDto,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    assertRange(query.from, query.to);
    if (!query.format) return reply.send({ items: await this.reports.usageRows(ctx.tenantId, query) });
    return sendStream(reply, query.format, 'usage', await this.reports.usageStream(ctx.tenantId, query, query.format));
  }
}
