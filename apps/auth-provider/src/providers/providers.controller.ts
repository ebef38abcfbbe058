import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Ctx, RequestCtx, RequiresKey, RequiresPermission } from '@twofold/platform/auth';
import { IdParam } from '@twofold/platform/http';
import { ProviderErrorCode } from '@twofold/providers/domain';
import { actorOf } from '../common/actor';
import { ErrorResponseDto } from '../common/error-response.dto';
import { PageQueryDto } from '../common/page.dto';
import {
  CreateProviderDto,
  LinkProviderDto,
  ProviderDto,
  ProviderPageDto,
  toProviderDto,
  UpdateProviderDto,
} from './dto/provider.dto';
import { ProvidersService } from './providers.service';

const ProviderId = () => IdParam('id', ProviderErrorCode.ProviderNotFound, 'The MFA provider');

@ApiTags('providers')
@RequiresKey('tenant')
@RequiresPermission({ read: 'providers:read', write: 'providers:write' })
@Controller('providers')
export class ProvidersController {
  constructor(private readonly providers: ProvidersService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Create an MFA provider with its billing model (R1), optionally not linked to the tenant (R7).',
  })
  @ApiCreatedResponse({ type: ProviderDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: '`tenant_not_found`: the tenant to link is not yours.' })
  async create(@Ctx() ctx: RequestCtx, @Body() body: CreateProviderDto): Promise<ProviderDto> {
    return toProviderDto(await this.providers.create(ctx.tenantId, body, actorOf(ctx.principal), ctx.correlationId));
  }

  @Get()
  @ApiOkResponse({ type: ProviderPageDto })
  async list(@Ctx() ctx: RequestCtx, @Query() query: PageQueryDto): Promise<ProviderPageDto> {
    const page = await this.providers.list(ctx.tenantId, query.limit ?? 50, query.cursor);
    return { items: page.items.map(toProviderDto), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOkResponse({ type: ProviderDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async get(@Ctx() ctx: RequestCtx, @ProviderId() id: string): Promise<ProviderDto> {
    return toProviderDto(await this.providers.get(ctx.tenantId, id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Update a provider. Changing `billingModel` is refused (409 `billing_model_immutable`).' })
  @ApiOkResponse({ type: ProviderDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: '`billing_model_immutable`' })
  async update(
    @Ctx() ctx: RequestCtx,
    @ProviderId() id: string,
    @Body() body: UpdateProviderDto,
  ): Promise<ProviderDto> {
    return toProviderDto(
      await this.providers.update(ctx.tenantId, id, body, actorOf(ctx.principal), ctx.correlationId),
    );
  }

  @Post(':id/link')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Link the provider to your tenant or unlink it (R8). Carries over no user settings; every MFA server of ' +
      'the provider must be re-activated with a new activation credential, and the mobile app activations of ' +
      'the users of the tenants left and joined are invalidated. Linking to the current link changes nothing.',
  })
  @ApiOkResponse({ type: ProviderDto })
  @ApiNotFoundResponse({
    type: ErrorResponseDto,
    description: '`provider_not_found`, or `tenant_not_found`: the tenant to link is not yours.',
  })
  async link(@Ctx() ctx: RequestCtx, @ProviderId() id: string, @Body() body: LinkProviderDto): Promise<ProviderDto> {
    return toProviderDto(
      await this.providers.link(
        ctx.tenantId,
        id,
        body.tenantId,
        body.consentToken,
        actorOf(ctx.principal),
        ctx.correlationId,
      ),
    );
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async delete(@Ctx() ctx: RequestCtx, @ProviderId() id: string): Promise<void> {
    await this.providers.delete(ctx.tenantId, id, actorOf(ctx.principal), ctx.correlationId);
  }
}
