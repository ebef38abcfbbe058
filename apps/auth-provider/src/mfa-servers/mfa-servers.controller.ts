import { Body, Controller, Delete, Get, HttpCode, Patch, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Ctx, RequestCtx, RequiresKey, RequiresPermission } from '@twofold/platform/auth';
import { IdParam } from '@twofold/platform/http';
import { ProviderErrorCode } from '@twofold/providers/domain';
import { actorOf } from '../common/actor';
import { ErrorResponseDto } from '../common/error-response.dto';
import {
  MfaServerDto,
  MfaServerListQueryDto,
  MfaServerPageDto,
  toMfaServerDto,
  UpdateMfaServerDto,
} from './dto/mfa-server.dto';
import { MfaServersService } from './mfa-servers.service';

const ServerId = () => IdParam('id', ProviderErrorCode.MfaServerNotFound, 'The MFA server');

/** The tenant admin's view of its MFA servers (R12). */
@ApiTags('mfa-servers')
@RequiresKey('tenant')
@RequiresPermission({ read: 'providers:read', write: 'providers:write' })
@Controller('mfa-servers')
export class MfaServersController {
  constructor(private readonly servers: MfaServersService) {}

  @Get()
  @ApiOperation({ summary: 'List MFA servers, revoked ones included; optionally of one provider.' })
  @ApiOkResponse({ type: MfaServerPageDto })
  async list(@Ctx() ctx: RequestCtx, @Query() query: MfaServerListQueryDto): Promise<MfaServerPageDto> {
    const page = await this.servers.list(ctx.tenantId, query.limit ?? 50, query.cursor, query.providerId);
    return { items: page.items.map(toMfaServerDto), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOkResponse({ type: MfaServerDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async get(@Ctx() ctx: RequestCtx, @ServerId() id: string): Promise<MfaServerDto> {
    return toMfaServerDto(await this.servers.get(ctx.tenantId, id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename a server or change its code lifetime (R13) or caller ID (R23).' })
  @ApiOkResponse({ type: MfaServerDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async update(
    @Ctx() ctx: RequestCtx,
    @ServerId() id: string,
    @Body() body: UpdateMfaServerDto,
  ): Promise<MfaServerDto> {
    return toMfaServerDto(await this.servers.update(ctx.tenantId, id, body, actorOf(ctx.principal), ctx.correlationId));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a server. Its credential stops working at once.' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async revoke(@Ctx() ctx: RequestCtx, @ServerId() id: string): Promise<void> {
    await this.servers.revoke(ctx.tenantId, id, actorOf(ctx.principal), ctx.correlationId);
  }
}
