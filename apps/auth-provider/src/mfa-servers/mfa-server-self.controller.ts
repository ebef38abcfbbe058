import { Body, Controller, Get, HttpCode, Inject, Post, Req } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Ctx, RequestCtx, RequiresKey, assertHttps } from '@twofold/platform/auth';
import { APP_CONFIG } from '@twofold/platform/config';
import type { AuthProviderConfig } from '../config';
import { CorrelationId, Public } from '@twofold/platform/http';
import { ErrorResponseDto } from '../common/error-response.dto';
import { ActivateMfaServerDto, ActivatedMfaServerDto, MfaServerDto, toMfaServerDto } from './dto/mfa-server.dto';
import { MfaServersService } from './mfa-servers.service';

/** What an on-premises MFA server calls about itself (R12), not the tenant admin. */
@ApiTags('mfa-servers')
@Controller('mfa-servers')
export class MfaServerSelfController {
  constructor(
    private readonly servers: MfaServersService,
    @Inject(APP_CONFIG) private readonly config: AuthProviderConfig,
  ) {}

  @Post('activate')
  @Public()
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Activate an on-premises MFA server with a one-time activation credential; returns the server’s own ' +
      'credential (shown once). The caller’s IP is recorded (behind a proxy, per TRUST_PROXY). At most 20 attempts per IP in 10 minutes: then 429 `activation_rate_limited` with Retry-After.',
  })
  @ApiCreatedResponse({ type: ActivatedMfaServerDto })
  @ApiTooManyRequestsResponse({ type: ErrorResponseDto, description: '`activation_rate_limited`, with Retry-After.' })
  @ApiUnauthorizedResponse({
    type: ErrorResponseDto,
    description: '`activation_credential_invalid`: unknown, used, revoked or expired (one answer for all).',
  })
  async activate(
    @Body() body: ActivateMfaServerDto,
    @Req() request: FastifyRequest,
    @CorrelationId() correlationId: string,
  ): Promise<ActivatedMfaServerDto> {
    // R28: the activation credential and the server credential in the answer travel over HTTPS only.
    if (this.config.SERVER_HTTPS_ONLY) assertHttps(request);
    const { server, serverCredential } = await this.servers.activate(
      { ...body, ipAddress: request.ip ?? null },
      correlationId,
    );
    return {
      serverId: server.id,
      providerId: server.providerId,
      serverCredential,
      pendingSmsTimeoutSeconds: server.pendingSmsTimeoutSeconds,
    };
  }

  @Get('self')
  @RequiresKey('mfa_server')
  @ApiOperation({ summary: 'The calling MFA server’s own record: proves its credential works.' })
  @ApiOkResponse({ type: MfaServerDto })
  async self(@Ctx() ctx: RequestCtx): Promise<MfaServerDto> {
    if (ctx.principal.kind !== 'mfa_server') throw new Error('self reached without an MFA server credential');
    return toMfaServerDto(await this.servers.get(ctx.tenantId, ctx.principal.serverId));
  }
}
