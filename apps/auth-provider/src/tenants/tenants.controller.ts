import { Body, Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AnyRequestCtx, Ctx, RequestCtx, RequiresKey, RequiresPermission } from '@twofold/platform/auth';
import { IdParam } from '@twofold/platform/http';
import { TenancyErrorCode } from '@twofold/tenancy/domain';
import { actorOf } from '../common/actor';
import { ErrorResponseDto } from '../common/error-response.dto';
import {
  CreatedTenantDto,
  CreateTenantDto,
  SuspendTenantDto,
  TenantDto,
  toTenantDto,
  UpdateTenantDto,
} from './dto/tenant.dto';
import { TenantsService } from './tenants.service';

@ApiTags('tenants')
@RequiresPermission({ read: 'settings:read', write: 'settings:write' })
@Controller('tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Post()
  @HttpCode(201)
  @RequiresKey('operator')
  @ApiOperation({ summary: 'Create a tenant (platform operator key). Returns its first admin API key once.' })
  @ApiCreatedResponse({ type: CreatedTenantDto })
  async create(@Ctx('any') ctx: AnyRequestCtx, @Body() body: CreateTenantDto): Promise<CreatedTenantDto> {
    const { apiKey, ...tenant } = await this.tenants.create(body, actorOf(ctx.principal), ctx.correlationId);
    return { ...toTenantDto(tenant), apiKey };
  }

  @Get(':id')
  @RequiresKey('tenant', 'operator')
  @ApiOperation({
    summary: 'Read the caller’s own tenant (tenant key), or any tenant with its lifecycle state (operator key).',
  })
  @ApiOkResponse({ type: TenantDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async get(
    @Ctx('any') ctx: AnyRequestCtx,
    @IdParam('id', TenancyErrorCode.TenantNotFound, 'The tenant') id: string,
  ): Promise<TenantDto> {
    const caller = ctx.principal.kind === 'operator' ? null : ctx.principal.tenantId;
    return toTenantDto(await this.tenants.get(caller, id));
  }

  @Post(':id/suspend')
  @HttpCode(200)
  @RequiresKey('operator')
  @ApiOperation({
    summary:
      'Suspend a tenant (platform operator key): every API key, MFA server credential and activation credential ' +
      'of it is refused with 403 `tenant_suspended` until it is resumed. Nothing is deleted (docs/decisions/0026).',
  })
  @ApiOkResponse({ type: TenantDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: '`tenant_deletion_started`' })
  async suspend(
    @Ctx('any') ctx: AnyRequestCtx,
    @IdParam('id', TenancyErrorCode.TenantNotFound, 'The tenant') id: string,
    @Body() body: SuspendTenantDto,
  ): Promise<TenantDto> {
    return toTenantDto(await this.tenants.suspend(id, body.reason, actorOf(ctx.principal), ctx.correlationId));
  }

  @Post(':id/resume')
  @HttpCode(200)
  @RequiresKey('operator')
  @ApiOperation({
    summary:
      'Resume a suspended tenant (platform operator key); cancels a scheduled deletion while its grace lasts. ' +
      'Its credentials work again at once.',
  })
  @ApiOkResponse({ type: TenantDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: '`tenant_deletion_started`' })
  async resume(
    @Ctx('any') ctx: AnyRequestCtx,
    @IdParam('id', TenancyErrorCode.TenantNotFound, 'The tenant') id: string,
  ): Promise<TenantDto> {
    return toTenantDto(await this.tenants.resume(id, actorOf(ctx.principal), ctx.correlationId));
  }

  @Delete(':id')
  @HttpCode(202)
  @RequiresKey('operator')
  @ApiOperation({
    summary:
      'Schedule a tenant’s deletion after TENANT_DELETION_GRACE_DAYS (platform operator key). It is suspended at ' +
      'once; resume cancels the deletion during the grace. Then the billing worker deletes its personal data once ' +
      'its usage is reported and its last month closed, keeping a tombstone and the billing rows.',
  })
  @ApiAcceptedResponse({ type: TenantDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: '`tenant_deletion_started`' })
  async remove(
    @Ctx('any') ctx: AnyRequestCtx,
    @IdParam('id', TenancyErrorCode.TenantNotFound, 'The tenant') id: string,
  ): Promise<TenantDto> {
    return toTenantDto(await this.tenants.scheduleDeletion(id, actorOf(ctx.principal), ctx.correlationId));
  }

  @Patch(':id')
  @RequiresKey('tenant')
  @ApiOperation({
    summary:
      'Update the caller’s own tenant (name, app-password setting, delivery countries, SMS velocity cap, default ' +
      'phone region, retention of records and audit entries). The data region cannot change.',
  })
  @ApiBadRequestResponse({
    type: ErrorResponseDto,
    description:
      '`validation_failed` (e.g. smsVelocityPerHour above the operator ceiling); `retention_out_of_bounds` ' +
      '(recordRetentionDays or auditRetentionDays outside the operator’s bounds, docs/decisions/0025)',
  })
  @ApiOkResponse({ type: TenantDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: '`data_region_immutable`' })
  async update(
    @Ctx() ctx: RequestCtx,
    @IdParam('id', TenancyErrorCode.TenantNotFound, 'The tenant') id: string,
    @Body() body: UpdateTenantDto,
  ): Promise<TenantDto> {
    return toTenantDto(await this.tenants.update(ctx.tenantId, id, body, actorOf(ctx.principal), ctx.correlationId));
  }
}
