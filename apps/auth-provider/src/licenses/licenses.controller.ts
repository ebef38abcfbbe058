import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
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
import { LicenseErrorCode } from '@twofold/directory/domain';
import { CurrentPrincipal, Principal, RequiresKey, TenantId } from '@twofold/platform/auth';
import { Clock } from '@twofold/platform/db';
import { CorrelationId, IdParam } from '@twofold/platform/http';
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
  toAssignmentDto,
  toPoolDto,
  UpdateLicensePoolDto,
} from './dto/license.dto';
import { LicensesService } from './licenses.service';

const PoolId = () => IdParam('id', LicenseErrorCode.LicensePoolNotFound, 'The license pool');
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
  @ApiOperation({ summary: 'Record seats bought for a term (R4).' })
  @ApiCreatedResponse({ type: LicensePoolDto })
  async create(
    @TenantId() tenantId: string,
    @Body() body: CreateLicensePoolDto,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<LicensePoolDto> {
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
  @ApiOkResponse({ type: LicensePoolDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: '`seats_below_assigned`' })
  async update(
    @TenantId() tenantId: string,
    @PoolId() id: string,
    @Body() body: UpdateLicensePoolDto,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<LicensePoolDto> {
    return toPoolDto(
      await this.licenses.updatePool(tenantId, id, body, actorOf(principal), correlationId),
      this.clock.now(),
    );
  }

  @Delete('license-pools/:id')
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: '`license_pool_in_use`' })
  async delete(
    @TenantId() tenantId: string,
    @PoolId() id: string,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<void> {
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
