import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard as PassportAuthGuard } from '@nestjs/passport';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { applyDecorators } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { CommonErrorCode, DomainError } from '@twofold/platform/errors';
import { IS_PUBLIC, contextOf } from '@twofold/platform/http';
import { HTTPS_ONLY_KINDS, type Principal, type PrincipalKind } from './principal';

const AUDIENCE = 'twofold:audience';

/** The endpoint takes only these kinds of credential (tenant key, operator key, MFA server credential). */
export const RequiresKey = (...kinds: PrincipalKind[]) =>
  applyDecorators(
    SetMetadata(AUDIENCE, kinds),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'No key, or an unknown or revoked key (`unauthorized`).' }),
    ApiForbiddenResponse({ description: 'The wrong kind of key for this endpoint.' }),
  );

type AuthedRequest = FastifyRequest & { user?: Principal };

/**
 * R28: the request came over HTTPS (TLS here, or `X-Forwarded-Proto: https` from a proxy that
 * TRUST_PROXY names as trusted).
 */
export function assertHttps(request: FastifyRequest): void {
  if (request.protocol !== 'https') {
    throw new DomainError(
      CommonErrorCode.HttpsRequired,
      'forbidden',
      'MFA servers talk to the cloud over HTTPS only (R28).',
    );
  }
}

function wrongKind(wanted: PrincipalKind[]): DomainError {
  if (wanted.includes('tenant')) {
    return new DomainError(CommonErrorCode.TenantKeyRequired, 'forbidden', 'This endpoint takes a tenant API key.');
  }
  if (wanted.includes('operator')) {
    return new DomainError(
      CommonErrorCode.OperatorKeyRequired,
      'forbidden',
      'This endpoint takes the platform operator key.',
    );
  }
  return new DomainError(
    CommonErrorCode.MfaServerCredentialRequired,
    'forbidden',
    'This endpoint takes the credential of an activated MFA server.',
  );
}

/**
 * Global guard: every endpoint needs a credential unless marked @Public(), and an endpoint that
 * says nothing about its audience takes tenant keys only.
 */
@Injectable()
export class ApiKeyGuard extends PassportAuthGuard('bearer') implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(HTTPS_ONLY_KINDS) private readonly httpsOnly: PrincipalKind[],
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    await super.canActivate(context);
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    const principal = request.user as Principal;
    const wanted = this.reflector.getAllAndOverride<PrincipalKind[]>(AUDIENCE, targets) ?? ['tenant'];
    if (principal.kind !== 'operator') contextOf(request.raw).tenantId = principal.tenantId;
    if (!wanted.includes(principal.kind)) throw wrongKind(wanted);
    if (this.httpsOnly.includes(principal.kind)) assertHttps(request);
    return true;
  }

  override handleRequest<T>(error: unknown, user: T): T {
    // A verifier's own refusal (tenant_suspended) keeps its code; anything else is a plain 401.
    if (error instanceof DomainError && error.code === CommonErrorCode.TenantSuspended) throw error;
    if (error || !user) {
      throw new DomainError(
        CommonErrorCode.Unauthorized,
        'unauthorized',
        'A valid API key is required: send `Authorization: Bearer <key>`.',
      );
    }
    return user;
  }
}

/** The calling tenant's id, from its API key (or from the MFA server's credential). */
export const TenantId = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const principal = context.switchToHttp().getRequest<AuthedRequest>().user;
  if (!principal || principal.kind === 'operator')
    throw new Error('TenantId used on an endpoint that takes the operator key');
  return principal.tenantId;
});

export const CurrentPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext): Principal =>
    context.switchToHttp().getRequest<AuthedRequest>().user as Principal,
);
