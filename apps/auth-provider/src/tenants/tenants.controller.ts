import { Body, Controller, Get, HttpCode, Patch, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, Principal, RequiresKey, TenantId } from '@twofold/platform/auth';
import { CorrelationId, IdParam } from '@twofold/platform/http';
import { TenancyErrorCode } from '@twofold/tenancy/domain';
import { actorOf } from '../common/actor';
import { ErrorResponseDto } from '../common/error-response.dto';
import { CreatedTenantDto, CreateTenantDto, TenantDto, toTenantDto, UpdateTenantDto } from './dto/tenant.dto';
import { TenantsService } from './tenants.service';

@ApiTags('tenants')
@Controller('tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Post()
  @HttpCode(201)
  @RequiresKey('operator')
  @ApiOperation({ summary: 'Create a tenant (platform operator key). Returns its first admin API key once.' })
  @ApiCreatedResponse({ type: CreatedTenantDto })
  async create(
    @Body() body: CreateTenantDto,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<CreatedTenantDto> {
    const { apiKey, ...tenant } = await this.tenants.create(body, actorOf(principal), correlationId);
    return { ...toTenantDto(tenant), apiKey };
  }

  @Get(':id')
  @RequiresKey('tenant')
  @ApiOperation({ summary: 'Read the caller’s own tenant.' })
  @ApiOkResponse({ type: TenantDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async get(
    @TenantId() tenantId: string,
    @IdParam('id', TenancyErrorCode.TenantNotFound, 'The tenant') id: string,
  ): Promise<TenantDto> {
    return toTenantDto(await this.tenants.get(tenantId, id));
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
    @TenantId() tenantId: string,
    @IdParam('id', TenancyErrorCode.TenantNotFound, 'The tenant') id: string,
    @Body() body: UpdateTenantDto,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<TenantDto> {
    return toTenantDto(await this.tenants.update(tenantId, id, body, actorOf(principal), correlationId));
  }
}
