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
import { Ctx, permissionsOf, RequestCtx, RequiresKey, RequiresPermission } from '@twofold/platform/auth';
import { IdParam } from '@twofold/platform/http';
import { TenancyErrorCode } from '@twofold/tenancy/domain';
import { actorOf } from '../common/actor';
import { ErrorResponseDto } from '../common/error-response.dto';
import { PageQueryDto } from '../common/page.dto';
import { ApiKeyDto, ApiKeyPageDto, CreateApiKeyDto, CreatedApiKeyDto, toApiKeyDto } from './dto/api-key.dto';
import { ApiKeysService } from './api-keys.service';

const KeyId = () => IdParam('id', TenancyErrorCode.ApiKeyNotFound, 'The API key');

@ApiTags('api-keys')
@RequiresKey('tenant')
@RequiresPermission({ read: 'keys:read', write: 'keys:write' })
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create an admin API key. The key is shown once; only its hash is stored.' })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  async create(@Ctx() ctx: RequestCtx, @Body() body: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    const { apiKey, ...row } = await this.apiKeys.create(
      ctx.tenantId,
      body,
      permissionsOf(ctx.principal) ?? [],
      actorOf(ctx.principal),
      ctx.correlationId,
    );
    return { ...toApiKeyDto(row), apiKey };
  }

  @Get()
  @ApiOperation({ summary: 'List the tenant’s API keys (metadata only), revoked ones included.' })
  @ApiOkResponse({ type: ApiKeyPageDto })
  async list(@Ctx() ctx: RequestCtx, @Query() query: PageQueryDto): Promise<ApiKeyPageDto> {
    const page = await this.apiKeys.list(ctx.tenantId, query.limit ?? 50, query.cursor);
    return { items: page.items.map(toApiKeyDto), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOkResponse({ type: ApiKeyDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async get(@Ctx() ctx: RequestCtx, @KeyId() id: string): Promise<ApiKeyDto> {
    return toApiKeyDto(await this.apiKeys.get(ctx.tenantId, id));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a key. It stops working at once.' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: '`last_api_key`' })
  async revoke(@Ctx() ctx: RequestCtx, @KeyId() id: string): Promise<void> {
    await this.apiKeys.revoke(ctx.tenantId, id, actorOf(ctx.principal), ctx.correlationId);
  }
}
