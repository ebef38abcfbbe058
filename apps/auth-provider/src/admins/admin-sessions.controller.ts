import { Body, Controller, Delete, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { parse, serialize } from 'cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  csrfTokenFor,
  Ctx,
  permissionsOf,
  RequestCtx,
  RequiresKey,
  RequiresPermission,
  TenantPrincipal,
} from '@twofold/platform/auth';
import { APP_CONFIG } from '@twofold/platform/config';
import { CorrelationId, IdParam, Public } from '@twofold/platform/http';
import { Inject } from '@nestjs/common';
import { AdminErrorCode } from '@twofold/tenancy/domain';
import { actorOf } from '../common/actor';
import { ErrorResponseDto } from '../common/error-response.dto';
import type { AuthProviderConfig } from '../config';
import { SESSION_COOKIE } from './admin-session.authenticator';
import { AdminSessionsService } from './admin-sessions.service';
import {
  AdminSessionListDto,
  CurrentSessionDto,
  SignedInDto,
  SignInDto,
  toAdminDto,
  toSessionDto,
} from './dto/admin.dto';

const SessionId = () => IdParam('id', AdminErrorCode.SessionNotFound, 'The session');
type AdminPrincipal = Extract<TenantPrincipal, { kind: 'admin' }>;

function asAdmin(principal: TenantPrincipal): AdminPrincipal {
  if (principal.kind !== 'admin') throw new Error('an admin-only endpoint reached without a session');
  return principal;
}

/** docs/decisions/0031: sign-in with e-mail, password and TOTP code; a session cookie; sign-out; revocation. */
@ApiTags('admin-sessions')
@Controller('admin-sessions')
export class AdminSessionsController {
  constructor(
    private readonly sessions: AdminSessionsService,
    @Inject(APP_CONFIG) private readonly config: AuthProviderConfig,
  ) {}

  @Post()
  @Public()
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Sign in. Sets the `twofold_session` cookie (HttpOnly, SameSite=Strict, Secure over HTTPS) and returns the ' +
      'CSRF token to send as `X-CSRF-Token` on state-changing requests made with it.',
  })
  @ApiCreatedResponse({ type: SignedInDto })
  @ApiUnauthorizedResponse({
    type: ErrorResponseDto,
    description: '`sign_in_failed` for every kind of wrong credential (e-mail, password, code, a code used already)',
  })
  @ApiTooManyRequestsResponse({
    type: ErrorResponseDto,
    description: '`sign_in_rate_limited`: too many failures for the account or from the address, with Retry-After',
  })
  async signIn(
    @Body() body: SignInDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CorrelationId() correlationId: string,
  ): Promise<SignedInDto> {
    const ua = request.headers['user-agent'];
    const signed = await this.sessions.signIn(
      body,
      { ip: request.ip, userAgent: typeof ua === 'string' ? ua : null },
      correlationId,
    );
    void reply.header(
      'set-cookie',
      serialize(SESSION_COOKIE, signed.token, {
        httpOnly: true,
        sameSite: 'strict',
        // R28-style: Secure whenever the request came over HTTPS (TLS here or a trusted proxy's X-Forwarded-Proto).
        secure: request.protocol === 'https',
        path: '/',
        maxAge: this.config.ADMIN_SESSION_ABSOLUTE_HOURS * 3600,
      }),
    );
    return {
      session: toSessionDto(signed.session, signed.session.id),
      admin: toAdminDto(signed.admin),
      csrfToken: signed.csrfToken,
    };
  }

  @Get()
  @RequiresKey('admin')
  @RequiresPermission('self')
  @ApiOperation({ summary: 'The signed-in admin’s live sessions.' })
  @ApiOkResponse({ type: AdminSessionListDto })
  async list(@Ctx() ctx: RequestCtx): Promise<AdminSessionListDto> {
    const admin = asAdmin(ctx.principal);
    return { items: (await this.sessions.list(admin)).map((s) => toSessionDto(s, admin.sessionId)) };
  }

  @Get('current')
  @RequiresKey('admin')
  @RequiresPermission('self')
  @ApiOperation({ summary: 'This session, its admin, permissions and CSRF token (for a reloaded console).' })
  @ApiOkResponse({ type: CurrentSessionDto })
  async current(@Ctx() ctx: RequestCtx, @Req() request: FastifyRequest): Promise<CurrentSessionDto> {
    const admin = asAdmin(ctx.principal);
    const { session, admin: row } = await this.sessions.current(admin);
    const token = parse(request.headers.cookie ?? '')[SESSION_COOKIE] ?? '';
    return {
      session: toSessionDto(session, admin.sessionId),
      admin: toAdminDto(row),
      csrfToken: csrfTokenFor(token),
      permissions: [...(permissionsOf(admin) ?? [])],
    };
  }

  @Delete('current')
  @HttpCode(204)
  @RequiresKey('admin')
  @RequiresPermission('self')
  @ApiOperation({ summary: 'Sign out: this session ends and its cookie is cleared.' })
  @ApiNoContentResponse()
  async signOut(@Ctx() ctx: RequestCtx, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    await this.sessions.signOut(asAdmin(ctx.principal), ctx.correlationId);
    void reply.header(
      'set-cookie',
      serialize(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'strict', path: '/', maxAge: 0 }),
    );
  }

  @Delete(':id')
  @HttpCode(204)
  @RequiresKey('tenant')
  @RequiresPermission('self')
  @ApiOperation({
    summary:
      'Revoke a session: one of your own, or (with `admins:write`) any admin’s session of the tenant. It stops working at once.',
  })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async revoke(@Ctx() ctx: RequestCtx, @SessionId() id: string): Promise<void> {
    await this.sessions.revoke(ctx.principal, id, actorOf(ctx.principal), ctx.correlationId);
  }
}
