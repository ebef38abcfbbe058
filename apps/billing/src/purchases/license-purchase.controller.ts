import { Body, Controller, Get, HttpCode, Patch, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { BillingErrorCode } from '@twofold/billing/domain';
import { Ctx, Principal, RequestCtx, RequiresKey, RequiresPermission } from '@twofold/platform/auth';
import { IdParam } from '@twofold/platform/http';
import type { Actor } from '@twofold/tenancy/contracts';
import {
  ChangeLicensePurchaseDto,
  CreateLicensePurchaseDto,
  LicensePurchaseDto,
  LicensePurchaseListDto,
  toPurchaseDto,
} from './license-purchase.dto';
import { LicensePurchaseService } from './license-purchase.service';

const PurchaseId = () => IdParam('id', BillingErrorCode.LicensePurchaseNotFound, 'The license purchase');
const actorOf = (p: Principal): Actor =>
  p.kind === 'tenant'
    ? { type: 'api_key', apiKeyId: p.apiKeyId }
    : p.kind === 'admin'
      ? { type: 'admin', adminId: p.adminId }
      : { type: 'operator' };

/** R4: a tenant buys license seats through Stripe (decision 0018). */
@ApiTags('billing')
@RequiresKey('tenant')
@RequiresPermission({ read: 'billing:read', write: 'billing:write' })
@Controller('billing/license-purchases')
export class LicensePurchaseController {
  constructor(private readonly purchases: LicensePurchaseService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Buy license seats for a term: a Stripe subscription with the per-seat price (quantity = seats). The pool is ' +
      'in force once the first invoice is paid; poll the purchase for its state and pool id.',
  })
  @ApiAcceptedResponse({ type: LicensePurchaseDto })
  @ApiConflictResponse({ description: '`unpaid_purchases_limit`: 5 purchases already wait for payment.' })
  async create(@Ctx() ctx: RequestCtx, @Body() body: CreateLicensePurchaseDto): Promise<LicensePurchaseDto> {
    return toPurchaseDto(await this.purchases.purchase(ctx.tenantId, body, actorOf(ctx.principal), ctx.correlationId));
  }

  @Get()
  @ApiOkResponse({ type: LicensePurchaseListDto })
  async list(@Ctx() ctx: RequestCtx): Promise<LicensePurchaseListDto> {
    return { items: (await this.purchases.list(ctx.tenantId)).map(toPurchaseDto) };
  }

  @Get(':id')
  @ApiOkResponse({ type: LicensePurchaseDto })
  @ApiNotFoundResponse({ description: "`license_purchase_not_found` (also for another tenant's purchase)." })
  async get(@Ctx() ctx: RequestCtx, @PurchaseId() id: string): Promise<LicensePurchaseDto> {
    return toPurchaseDto(await this.purchases.get(ctx.tenantId, id));
  }

  @Patch(':id')
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Change the seats of a purchase mid-term. Stripe prorates the change; `seats` and the pool follow once Stripe confirms it.',
  })
  @ApiAcceptedResponse({ type: LicensePurchaseDto })
  @ApiNotFoundResponse({ description: '`license_purchase_not_found`' })
  @ApiConflictResponse({ description: '`seats_below_assigned`, `license_purchase_not_active`' })
  @ApiServiceUnavailableResponse({ description: '`billing_unavailable`: Stripe could not be reached.' })
  async change(
    @Ctx() ctx: RequestCtx,
    @PurchaseId() id: string,
    @Body() body: ChangeLicensePurchaseDto,
  ): Promise<LicensePurchaseDto> {
    return toPurchaseDto(
      await this.purchases.changeSeats(ctx.tenantId, id, body.seats, actorOf(ctx.principal), ctx.correlationId),
    );
  }
}
