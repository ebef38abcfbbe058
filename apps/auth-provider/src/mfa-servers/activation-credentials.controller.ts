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
import { Ctx, RequestCtx, RequiresKey, RequiresPermission } from '@twofold/platform/auth';
import { IdParam } from '@twofold/platform/http';
import { ProviderErrorCode } from '@twofold/providers/domain';
import { actorOf } from '../common/actor';
import { ErrorResponseDto } from '../common/error-response.dto';
import { PageQueryDto } from '../common/page.dto';
import {
  ActivationCredentialPageDto,
  CreateActivationCredentialDto,
  CreatedActivationCredentialDto,
  toActivationCredentialDto,
} from './dto/mfa-server.dto';
import { MfaServersService } from './mfa-servers.service';

const ProviderId = () => IdParam('id', ProviderErrorCode.ProviderNotFound, 'The MFA provider');
const CredentialId = () =>
  IdParam('credentialId', ProviderErrorCode.ActivationCredentialNotFound, 'The activation credential');

@ApiTags('mfa-servers')
@RequiresKey('tenant')
@RequiresPermission({ read: 'providers:read', write: 'providers:write' })
@Controller('providers/:id/activation-credentials')
export class ActivationCredentialsController {
  constructor(private readonly servers: MfaServersService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Generate a one-time, expiring activation credential for an MFA server of this provider (R12). ' +
      'Shown once; only its hash is stored.',
  })
  @ApiCreatedResponse({ type: CreatedActivationCredentialDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async create(
    @Ctx() ctx: RequestCtx,
    @ProviderId() providerId: string,
    @Body() body: CreateActivationCredentialDto,
  ): Promise<CreatedActivationCredentialDto> {
    const row = await this.servers.createActivationCredential(
      ctx.tenantId,
      providerId,
      body.expiresInMinutes,
      actorOf(ctx.principal),
      ctx.correlationId,
    );
    return { id: row.id, credential: row.credential, expiresAt: row.expiresAt };
  }

  @Get()
  @ApiOperation({ summary: 'List the provider’s activation credentials (metadata only).' })
  @ApiOkResponse({ type: ActivationCredentialPageDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async list(
    @Ctx() ctx: RequestCtx,
    @ProviderId() providerId: string,
    @Query() query: PageQueryDto,
  ): Promise<ActivationCredentialPageDto> {
    const page = await this.servers.listActivationCredentials(
      ctx.tenantId,
      providerId,
      query.limit ?? 50,
      query.cursor,
    );
    return { items: page.items.map(toActivationCredentialDto), nextCursor: page.nextCursor };
  }

  @Delete(':credentialId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an unused activation credential.' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: '`activation_credential_used`' })
  async revoke(@Ctx() ctx: RequestCtx, @ProviderId() providerId: string, @CredentialId() id: string): Promise<void> {
    await this.servers.revokeActivationCredential(
      ctx.tenantId,
      providerId,
      id,
      actorOf(ctx.principal),
      ctx.correlationId,
    );
  }
}
