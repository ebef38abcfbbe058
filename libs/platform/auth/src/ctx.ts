import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { contextOf } from '@twofold/platform/http';
import type { Principal, TenantPrincipal } from './principal';

/**
 * What a handler knows about the request it serves: the tenant (from the credential only, STYLE:
 * tenancy 1), who is calling, and the correlation id for audit entries, jobs and errors (R29).
 */
export interface RequestCtx {
  tenantId: string;
  principal: TenantPrincipal;
  correlationId: string;
}

/** The same for endpoints the platform operator may call too: there is no tenant then. */
export interface AnyRequestCtx {
  tenantId: string | null;
  principal: Principal;
  correlationId: string;
}

type AuthedRequest = FastifyRequest & { user?: Principal };

/**
 * One request-context parameter instead of `@TenantId() @CurrentPrincipal() @CorrelationId()` in every
 * handler (issue 17, "one vocabulary"). `@Ctx()` is a `RequestCtx` (a tenant-side caller: API key,
 * admin session or MFA server); `@Ctx('any')` is an `AnyRequestCtx` for endpoints that also take the
 * operator key.
 */
export const Ctx = createParamDecorator((mode: 'any' | undefined, context: ExecutionContext): AnyRequestCtx => {
  const request = context.switchToHttp().getRequest<AuthedRequest>();
  const principal = request.user;
  if (!principal) throw new Error('Ctx used on a public endpoint');
  const correlationId = contextOf(request.raw).correlationId;
  if (principal.kind === 'operator') {
    if (mode !== 'any') throw new Error("Ctx() used on an endpoint that takes the operator key: use Ctx('any')");
    return { tenantId: null, principal, correlationId };
  }
  return { tenantId: principal.tenantId, principal, correlationId };
});
