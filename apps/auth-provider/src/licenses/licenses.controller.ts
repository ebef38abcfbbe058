import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiForbiddenResponse, ApiQuery } from '@nestjs/swagger';
import { RouteConfig } from '@nestjs/platform-fastify';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { LicenseErrorCode, LicenseErrors } from '@twofold/directory/domain';
import { AnyRequestCtx, Ctx, Principal, RequestCtx, RequiresKey, RequiresPermission } from '@twofold/platform/auth';
import { Clock } from '@twofold/platform/db';
import { IdParam } from '@twofold/platform/http';
import { CommonErrorCode, DomainError } from '@twofold/platform/errors';
import { actorOf } from '../common/actor';
import { ErrorResponseDto } from '../common/error-response.dto';
import { PageQueryDto } from '../common/page.dto';
import {
  AssignLicenseDto,
  BulkAssignLicensesDto,
  BulkAssignResponseDto,
  CreateLicensePoolDto,
  LicenseAssignmentDto,
  LicenseAssignmentPageDto,
  LicensePoolDto,
  LicensePoolPageDto,
  LicenseSummaryDto,
  OperatorTenantQueryDto,
  toAssignmentDto,
  toPoolDto,
  UpdateLicensePoolDto,
} from './dto/license.dto';
import { LicensesService } from './licenses.service';

const PoolId = () => IdParam('id', LicenseErrorCode.LicensePoolNotFound, 'The license pool');
/**
 * R4: seats are bought (decision 0018). Making a pool, and changing its seats or term, takes the
 * platform operator's key and the tenant it is for; a tenant key gets 403 `operator_only`.
 */
function operatorTenant(principal: Principal, tenantId: string | undefined): string {
  if (principal.kind !== 'operator') throw LicenseErrors.operatorOnly();
  if (!tenantId)
    throw new DomainError(CommonErrorCode.ValidationFailed, 'invalid', 'tenantId is required with the operator key.', {
      errors: [{ field: 'tenantId', problems: ['tenantId is required with the operator key'] }],
    });
  return tenantId;
}

const AssignedUserId = () => IdParam('userId', LicenseErrorCode.LicenseAssignmentNotFound, 'The license assignment');

@ApiTags('licenses')
@RequiresKey('tenant')
@RequiresPermission({ read: 'licenses:read', write: 'licenses:write' })
@Controller()
export class LicensesController {
  constructor(
    private readonly licenses: LicensesService,
    private readonly clock: Clock,
  ) {}

  @Post('license-pools')
  @HttpCode(201)
  @RequiresKey('operator', 'tenant')
  @ApiOperation({
    summary:
      'Record seats sold in a sales-led deal (R4): platform operator key, with the tenant in the body. Tenants buy ' +
      'seats with POST /v1/billing/license-purchases (billing service).',
  })
  @ApiCreatedResponse({ type: LicensePoolDto })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: '`operator_only`: a tenant key cannot make seats.' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: '`tenant_not_found`' })
  async create(@Ctx('any') ctx: AnyRequestCtx, @Body() body: CreateLicensePoolDto): Promise<LicensePoolDto> {
    const tenantId = operatorTenant(ctx.principal, body.tenantId);
    return toPoolDto(
      await this.licenses.createPool(tenantId, body, actorOf(ctx.principal), ctx.correlationId),
      this.clock.now(),
    );
  }

  @Get('license-pools')
  @ApiOkResponse({ type: LicensePoolPageDto })
  async list(@Ctx() ctx: RequestCtx, @Query() query: PageQueryDto): Promise<LicensePoolPageDto> {
    const page = await this.licenses.listPools(ctx.tenantId, query.limit ?? 50, query.cursor);
    const now = this.clock.now();
    return { items: page.items.map((p) => toPoolDto(p, now)), nextCursor: page.nextCursor };
  }

  @Get('licenses/summary')
  @ApiOperation({
    summary: 'Seats in force, assigned, and MFA-enabled users without a license (who a per_user provider bills).',
  })
  @ApiOkResponse({ type: LicenseSummaryDto })
  summary(@Ctx() ctx: RequestCtx): Promise<LicenseSummaryDto> {
    return this.licenses.summary(ctx.tenantId);
  }

  @Get('license-pools/:id')
  @ApiOkResponse({ type: LicensePoolDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async get(@Ctx() ctx: RequestCtx, @PoolId() id: string): Promise<LicensePoolDto> {
    return toPoolDto(await this.licenses.getPool(ctx.tenantId, id), this.clock.now());
  }

  @Patch('license-pools/:id')
  @RequiresKey('operator', 'tenant')
  @ApiOperation({
    summary:
      'Rename a pool (tenant key), or change its seats or term (platform operator key with `tenantId`; R4). A pool ' +
      'bought through Stripe follows its purchase.',
  })
  @ApiOkResponse({ type: LicensePoolDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: '`operator_only`: seats or term with a tenant key.' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: '`seats_below_assigned`, `license_pool_purchased`' })
  async update(
    @Ctx('any') ctx: AnyRequestCtx,
    @PoolId() id: string,
    @Body() body: UpdateLicensePoolDto,
  ): Promise<LicensePoolDto> {
    const changesSeats = body.seats !== undefined || body.termStart !== undefined || body.termEnd !== undefined;
    const tenantId =
      ctx.principal.kind === 'tenant' && !changesSeats
        ? ctx.principal.tenantId
        : operatorTenant(ctx.principal, body.tenantId);
    return toPoolDto(
      await this.licenses.updatePool(tenantId, id, body, actorOf(ctx.principal), ctx.correlationId),
      this.clock.now(),
    );
  }

  @Delete('license-pools/:id')
  @HttpCode(204)
  @RequiresKey('operator', 'tenant')
  @ApiOperation({ summary: 'Delete an unused sales-led pool (platform operator key, `?tenantId=`; R4).' })
  @ApiQuery({ name: 'tenantId', required: false, description: 'The tenant of the pool (operator key).' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: '`operator_only`' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: '`license_pool_in_use`, `license_pool_purchased`' })
  async delete(
    @Ctx('any') ctx: AnyRequestCtx,
    @PoolId() id: string,
    @Query() query: OperatorTenantQueryDto,
  ): Promise<void> {
    const tenantId = operatorTenant(ctx.principal, query.tenantId);
    await this.licenses.deletePool(tenantId, id, actorOf(ctx.principal), ctx.correlationId);
  }

  @Post('license-pools/:id/assignments')
  @HttpCode(201)
  @ApiOperation({ summary: 'Assign a seat to a user. 409 `no_free_seats` when every seat is taken (R4).' })
  @ApiCreatedResponse({ type: LicenseAssignmentDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: '`license_pool_not_found`, `user_not_found`' })
  @ApiConflictResponse({
    type: ErrorResponseDto,
    description: '`no_free_seats`, `user_already_licensed`, `license_pool_expired`',
  })
  async assign(
    @Ctx() ctx: RequestCtx,
    @PoolId() id: string,
    @Body() body: AssignLicenseDto,
  ): Promise<LicenseAssignmentDto> {
    return toAssignmentDto(
      await this.licenses.assign(
        ctx.tenantId,
        id,
        body.userId.toLowerCase(),
        actorOf(ctx.principal),
        ctx.correlationId,
      ),
    );
  }

  @Post('license-pools/:id/assignments/bulk')
  @HttpCode(200)
  @RouteConfig({ bodyLimitBytes: 4 * 1024 * 1024 })
  @ApiOperation({ summary: 'Assign seats to up to 10,000 users, with a result per user.' })
  @ApiOkResponse({ type: BulkAssignResponseDto })
  async assignMany(
    @Ctx() ctx: RequestCtx,
    @PoolId() id: string,
    @Body() body: BulkAssignLicensesDto,
  ): Promise<BulkAssignResponseDto> {
    const results = await this.licenses.assignMany(
      ctx.tenantId,
      id,
      body.userIds,
      actorOf(ctx.principal),
      ctx.correlationId,
    );
    const assigned = results.filter((r) => r.status === 'assigned').length;
    return { assigned, rejected: results.length - assigned, results };
  }

  @Get('license-pools/:id/assignments')
  @ApiOkResponse({ type: LicenseAssignmentPageDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async assignments(
    @Ctx() ctx: RequestCtx,
    @PoolId() id: string,
    @Query() query: PageQueryDto,
  ): Promise<LicenseAssignmentPageDto> {
    const page = await this.licenses.listAssignments(ctx.tenantId, id, query.limit ?? 50, query.cursor);
    return { items: page.items.map(toAssignmentDto), nextCursor: page.nextCursor };
  }

  @Delete('license-pools/:id/assignments/:userId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Take the seat back from the user.' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async unassign(@Ctx() ctx: RequestCtx, @PoolId() id: string, @AssignedUserId() userId: string): Promise<void> {
    await this.licenses.unassign(ctx.tenantId, id, userId, actorOf(ctx.principal), ctx.correlationId);
  }
}
