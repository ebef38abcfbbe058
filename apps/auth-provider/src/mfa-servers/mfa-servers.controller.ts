import { Body, Controller, Delete, Get, HttpCode, Patch, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, RequiresKey, TenantId } from '@twofold/platform/auth';
import { CorrelationId, IdParam } from '@twofold/platform/http';
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
@Controller('mfa-servers')
export class MfaServersController {
  constructor(private readonly servers: MfaServersService) {}

  @Get()
  @ApiOperation({ summary: 'List MFA servers, revoked ones included; optionally of one provider.' })
  @ApiOkResponse({ type: MfaServerPageDto })
  async list(@TenantId() tenantId: string, @Query() query: MfaServerListQueryDto): Promise<MfaServerPageDto> {
    const page = await this.servers.list(tenantId, query.limit ?? 50, query.cursor, query.providerId);
    return { items: page.items.map(toMfaServerDto), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOkResponse({ type: MfaServerDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async get(@TenantId() tenantId: string, @ServerId() id: string): Promise<MfaServerDto> {
    return toMfaServerDto(await this.servers.get(tenantId, id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename a server or change its code lifetime (R13) or caller ID (R23).' })
  @ApiOkResponse({ type: MfaServerDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async update(
    @TenantId() tenantId: string,
    @ServerId() id: string,
    @Body() body: UpdateMfaServerDto,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<MfaServerDto> {
    return toMfaServerDto(await this.servers.update(tenantId, id, body, actorOf(principal), correlationId));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a server. Its credential stops working at once.' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async revoke(
    @TenantId() tenantId: string,
    @ServerId() id: string,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<void> {
    await this.servers.revoke(tenantId, id, actorOf(principal), correlationId);
  }
}
