import {
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  Optional,
  SetMetadata,
  createParamDecorator,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard as PassportAuthGuard } from '@nestjs/passport';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { applyDecorators } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { CommonErrorCode, DomainError } from '@twofold/platform/errors';
import { IS_PUBLIC, contextOf } from '@twofold/platform/http';
import { HTTPS_ONLY_KINDS, permissionsOf, type Principal, type PrincipalKind } from './principal';
import { SESSION_AUTH, type SessionAuthenticator } from './session';

const AUDIENCE = 'twofold:audience';
const PERMISSION = 'twofold:permission';

/**
 * The endpoint takes only these kinds of credential (tenant key, operator key, MFA server credential,
 * admin session). `tenant` also admits a signed-in admin of the tenant (docs/decisions/0031): both act
 * for the tenant, bounded by the endpoint's permission.
 */
export const RequiresKey = (...kinds: PrincipalKind[]) =>
  applyDecorators(
    SetMetadata(AUDIENCE, kinds),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'No key, or an unknown or revoked key (`unauthorized`).' }),
    ApiForbiddenResponse({
      description:
        'The wrong kind of key for this endpoint, or (`forbidden`, with `permission`) a key or admin without the permission it needs.',
    }),
  );

/** GET/HEAD need `read`, every other method `write` (e.g. `{ read: 'users:read', write: 'users:write' }`). */
export interface ReadWritePermission {
  read: string;
  write: string;
}
/** `self`: any signed-in admin or key of the tenant may call it (their own sessions, sign-out). */
export type PermissionRule = string | ReadWritePermission | 'self';

/**
 * The permission a tenant key or admin needs for this endpoint or controller (the handler's wins). A
 * tenant-side caller reaching an endpoint that names none is refused: permissions fail closed.
 */
export const RequiresPermission = (rule: PermissionRule) => SetMetadata(PERMISSION, rule);

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function neededPermission(rule: PermissionRule | undefined, method: string): string | null | undefined {
  if (rule === undefined) return undefined;
  if (rule === 'self') return null;
  if (typeof rule === 'string') return rule;
  return SAFE_METHODS.has(method) ? rule.read : rule.write;
}

export function permissionDenied(permission: string): DomainError {
  return new DomainError(
    CommonErrorCode.Forbidden,
    'forbidden',
    `This needs the permission \`${permission}\`, which this API key's scopes or this admin's role do not include.`,
    { permission },
  );
}

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
  if (wanted.includes('admin')) {
    return new DomainError(
      CommonErrorCode.AdminSessionRequired,
      'forbidden',
      'This endpoint takes a signed-in admin’s session.',
    );
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
    @Optional() @Inject(SESSION_AUTH) private readonly sessions?: SessionAuthenticator,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    // A bearer credential wins; without one, an admin session cookie may stand in (docs/decisions/0031).
    const sessions = request.headers.authorization ? undefined : this.sessions;
    const session = sessions?.fromRequest(request) ?? null;
    if (sessions && session) request.user = await sessions.authenticate(session, request);
    else await super.canActivate(context);
    const principal = request.user as Principal;
    const wanted = this.reflector.getAllAndOverride<PrincipalKind[]>(AUDIENCE, targets) ?? ['tenant'];
    if (principal.kind !== 'operator') contextOf(request.raw).tenantId = principal.tenantId;
    const admitted = wanted.includes(principal.kind) || (principal.kind === 'admin' && wanted.includes('tenant'));
    if (!admitted) throw wrongKind(wanted);
    if (this.httpsOnly.includes(principal.kind)) assertHttps(request);
    const held = permissionsOf(principal);
    if (held) {
      const needed = neededPermission(
        this.reflector.getAllAndOverride<PermissionRule>(PERMISSION, targets),
        request.method,
      );
      if (needed === undefined)
        throw new DomainError(CommonErrorCode.Forbidden, 'forbidden', 'This endpoint names no permission.');
      if (needed !== null && !held.includes(needed)) throw permissionDenied(needed);
    }
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
