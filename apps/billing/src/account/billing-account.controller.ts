import { Controller, Get, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { BillingErrorCode } from '@twofold/billing/domain';
import { Ctx, RequestCtx, RequiresKey, RequiresPermission } from '@twofold/platform/auth';
import { IdParam } from '@twofold/platform/http';
import { BillingAccountService } from './billing-account.service';

@ApiTags('billing')
@RequiresKey('tenant')
@RequiresPermission('billing:read')
@Controller('billing')
export class BillingAccountController {
  constructor(private readonly billing: BillingAccountService) {}

  @Get('usage')
  @ApiOperation({
    summary:
      'Usage of a month (default: the current one) per provider: authentications, billable and licensed users (R2–R4).',
  })
  usage(@Ctx() ctx: RequestCtx, @Query('period') period?: string) {
    return this.billing.usage(ctx.tenantId, period);
  }

  @Get('providers/:id')
  @ApiOperation({ summary: "A provider's Stripe customer and subscription (R10)." })
  @ApiNotFoundResponse({ description: "`provider_not_found` (also for another tenant's provider)." })
  provider(@Ctx() ctx: RequestCtx, @IdParam('id', BillingErrorCode.ProviderNotFound, 'The provider') id: string) {
    return this.billing.provider(ctx.tenantId, id);
  }

  @Get('invoices')
  @ApiOperation({
    summary: "The tenant's invoices as Stripe reported them by webhook, newest first, and the unpaid flag.",
  })
  invoices(@Ctx() ctx: RequestCtx) {
    return this.billing.invoices(ctx.tenantId);
  }

  @Get('invoices/upcoming')
  @ApiOperation({ summary: "Stripe's estimate of the next invoice." })
  upcoming(@Ctx() ctx: RequestCtx) {
    return this.billing.upcoming(ctx.tenantId);
  }
}
