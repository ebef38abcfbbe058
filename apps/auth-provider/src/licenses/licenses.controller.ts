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
import { CurrentPrincipal, Principal, RequiresKey, TenantId } from '@twofold/platform/auth';
import { Clock } from '@twofold/platform/db';
import { CorrelationId, IdParam } from '@twofold/platform/http';
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
  async create(
    @Body() body: CreateLicensePoolDto,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<LicensePoolDto> {
    const tenantId = operatorTenant(principal, body.tenantId);
    return toPoolDto(
      await this.licenses.createPool(tenantId, body, actorOf(principal), correlationId),
      this.clock.now(),
    );
  }

  @Get('license-pools')
  @ApiOkResponse({ type: LicensePoolPageDto })
  async list(@TenantId() tenantId: string, @Query() query: PageQueryDto): Promise<LicensePoolPageDto> {
    const page = await this.licenses.listPools(tenantId, query.limit ?? 50, query.cursor);
    const now = this.clock.now();
    return { items: page.items.map((p) => toPoolDto(p, now)), nextCursor: page.nextCursor };
  }

  @Get('licenses/summary')
  @ApiOperation({
    summary: 'Seats in force, assigned, and MFA-enabled users without a license (who a per_user provider bills).',
  })
  @ApiOkResponse({ type: LicenseSummaryDto })
  summary(@TenantId() tenantId: string): Promise<LicenseSummaryDto> {
    return this.licenses.summary(tenantId);
  }

  @Get('license-pools/:id')
  @ApiOkResponse({ type: LicensePoolDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async get(@TenantId() tenantId: string, @PoolId() id: string): Promise<LicensePoolDto> {
    return toPoolDto(await this.licenses.getPool(tenantId, id), this.clock.now());
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
    @PoolId() id: string,
    @Body() body: UpdateLicensePoolDto,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<LicensePoolDto> {
    const changesSeats = body.seats !== undefined || body.termStart !== undefined || body.termEnd !== undefined;
    const tenantId =
      principal.kind === 'tenant' && !changesSeats ? principal.tenantId : operatorTenant(principal, body.tenantId);
    return toPoolDto(
      await this.licenses.updatePool(tenantId, id, body, actorOf(principal), correlationId),
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
    @PoolId() id: string,
    @Query() query: OperatorTenantQueryDto,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<void> {
    const tenantId = operatorTenant(principal, query.tenantId);
    await this.licenses.deletePool(tenantId, id, actorOf(principal), correlationId);
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
    @TenantId() tenantId: string,
    @PoolId() id: string,
    @Body() body: AssignLicenseDto,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<LicenseAssignmentDto> {
    return toAssignmentDto(
      await this.licenses.assign(tenantId, id, body.userId.toLowerCase(), actorOf(principal), correlationId),
    );
  }

  @Post('license-pools/:id/assignments/bulk')
  @HttpCode(200)
  @RouteConfig({ bodyLimitBytes: 4 * 1024 * 1024 })
  @ApiOperation({ summary: 'Assign seats to up to 10,000 users, with a result per user.' })
  @ApiOkResponse({ type: BulkAssignResponseDto })
  async assignMany(
    @TenantId() tenantId: string,
    @PoolId() id: string,
    @Body() body: BulkAssignLicensesDto,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<BulkAssignResponseDto> {
    const results = await this.licenses.assignMany(tenantId, id, body.userIds, actorOf(principal), correlationId);
    const assigned = results.filter((r) => r.status === 'assigned').length;
    return { assigned, rejected: results.length - assigned, results };
  }

  @Get('license-pools/:id/assignments')
  @ApiOkResponse({ type: LicenseAssignmentPageDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async assignments(
    @TenantId() tenantId: string,
    @PoolId() id: string,
    @Query() query: PageQueryDto,
  ): Promise<LicenseAssignmentPageDto> {
    const page = await this.licenses.listAssignments(tenantId, id, query.limit ?? 50, query.cursor);
    return { items: page.items.map(toAssignmentDto), nextCursor: page.nextCursor };
  }

  @Delete('license-pools/:id/assignments/:userId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Take the seat back from the user.' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async unassign(
    @TenantId() tenantId: string,
    @PoolId() id: string,
    @AssignedUserId() userId: string,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<void> {
    await this.licenses.unassign(tenantId, id, userId, actorOf(principal), correlationId);
  }
}
