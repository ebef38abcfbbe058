import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Ctx, RequestCtx, RequiresKey, RequiresPermission } from '@twofold/platform/auth';
import { AuditService } from './audit.service';
import { AuditPageDto, AuditQueryDto, toAuditEntryDto } from './dto/audit-entry.dto';

@ApiTags('audit-log')
@RequiresKey('tenant')
@RequiresPermission('audit:read')
@Controller('audit-log')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({
    summary:
      'The tenant’s admin audit log, oldest first: who changed what, when, before/after, with which correlation id. Filters combine.',
  })
  @ApiOkResponse({ type: AuditPageDto })
  async list(@Ctx() ctx: RequestCtx, @Query() query: AuditQueryDto): Promise<AuditPageDto> {
    const page = await this.audit.list(ctx.tenantId, query);
    return { items: page.items.map(toAuditEntryDto), nextCursor: page.nextCursor };
  }
}
