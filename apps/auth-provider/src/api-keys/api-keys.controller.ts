import { Body, Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
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
import { PageQueryDto } from '../common/page.dto';
import { ApiKeyDto, ApiKeyPageDto, CreateApiKeyDto, CreatedApiKeyDto, toApiKeyDto } from './dto/api-key.dto';
import { ApiKeysService } from './api-keys.service';

const KeyId = () => IdParam('id', TenancyErrorCode.ApiKeyNotFound, 'The API key');

@ApiTags('api-keys')
@RequiresKey('tenant')
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create an admin API key. The key is shown once; only its hash is stored.' })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  async create(
    @TenantId() tenantId: string,
    @Body() body: CreateApiKeyDto,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<CreatedApiKeyDto> {
    const { apiKey, ...row } = await this.apiKeys.create(tenantId, body.name, actorOf(principal), correlationId);
    return { ...toApiKeyDto(row), apiKey };
  }

  @Get()
  @ApiOperation({ summary: 'List the tenant’s API keys (metadata only), revoked ones included.' })
  @ApiOkResponse({ type: ApiKeyPageDto })
  async list(@TenantId() tenantId: string, @Query() query: PageQueryDto): Promise<ApiKeyPageDto> {
    const page = await this.apiKeys.list(tenantId, query.limit ?? 50, query.cursor);
    return { items: page.items.map(toApiKeyDto), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOkResponse({ type: ApiKeyDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async get(@TenantId() tenantId: string, @KeyId() id: string): Promise<ApiKeyDto> {
    return toApiKeyDto(await this.apiKeys.get(tenantId, id));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a key. It stops working at once.' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: '`last_api_key`' })
  async revoke(
    @TenantId() tenantId: string,
    @KeyId() id: string,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<void> {
    await this.apiKeys.revoke(tenantId, id, actorOf(principal), correlationId);
  }
}
