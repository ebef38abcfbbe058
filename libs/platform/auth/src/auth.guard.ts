import { CanActivate, ExecutionContext, Injectable, SetMetadata, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard as PassportAuthGuard } from '@nestjs/passport';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { applyDecorators } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { CommonErrorCode, DomainError } from '@twofold/platform/errors';
import { IS_PUBLIC, contextOf } from '@twofold/platform/http';
import type { Principal } from './principal';

const AUDIENCE = 'twofold:audience';
type Audience = Principal['kind'];

/** The endpoint takes only this kind of credential (a tenant key or the operator key). */
export const RequiresKey = (kind: Audience) =>
  applyDecorators(
    SetMetadata(AUDIENCE, kind),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'No key, or an unknown or revoked key (`unauthorized`).' }),
    ApiForbiddenResponse({ description: 'The wrong kind of key for this endpoint.' }),
  );

type AuthedRequest = FastifyRequest & { user?: Principal };

/**
 * Global guard: every endpoint needs a credential unless marked @Public(), and an endpoint that
 * says nothing about its audience takes tenant keys only.
 */
@Injectable()
export class ApiKeyGuard extends PassportAuthGuard('bearer') implements CanActivate {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    await super.canActivate(context);
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    const principal = request.user as Principal;
    const wanted = this.reflector.getAllAndOverride<Audience>(AUDIENCE, targets) ?? 'tenant';
    if (principal.kind === 'tenant') contextOf(request.raw).tenantId = principal.tenantId;
    if (principal.kind !== wanted) {
      throw wanted === 'operator'
        ? new DomainError(
            CommonErrorCode.OperatorKeyRequired,
            'forbidden',
            'This endpoint takes the platform operator key.',
          )
        : new DomainError(CommonErrorCode.TenantKeyRequired, 'forbidden', 'This endpoint takes a tenant API key.');
    }
    return true;
  }

  override handleRequest<T>(error: unknown, user: T): T {
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

/** The calling tenant's id, from its API key. */
export const TenantId = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const principal = context.switchToHttp().getRequest<AuthedRequest>().user;
  if (principal?.kind !== 'tenant') throw new Error('TenantId used on an endpoint that does not require a tenant key');
  return principal.tenantId;
});

export const CurrentPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext): Principal =>
    context.switchToHttp().getRequest<AuthedRequest>().user as Principal,
);
