import { Inject, Injectable } from '@nestjs/common';
import { parse } from 'cookie';
import type { FastifyRequest } from 'fastify';
import { assertCsrf, type Principal, type SessionAuthenticator, tenantSuspended } from '@twofold/platform/auth';
import { APP_CONFIG } from '@twofold/platform/config';
import { Clock, DbService } from '@twofold/platform/db';
import { AdminRepository } from '@twofold/tenancy/data-access';
import { AdminErrors, hashAdminToken, isWellFormedSessionToken, permissionsOfRole } from '@twofold/tenancy/domain';
import type { AuthProviderConfig } from '../config';

export const SESSION_COOKIE = 'twofold_session';

/**
 * Resolves the admin session cookie for the guard (docs/decisions/0031): one call per request finds
 * the session, checks its idle and absolute timeouts against the application clock, moves its idle
 * deadline, and returns the admin's role. Sessions are never cached: sign-out and revocation stop the
 * next request. State-changing requests must pass the CSRF check.
 */
@Injectable()
export class AdminSessionAuthenticator implements SessionAuthenticator {
  private readonly admins: AdminRepository;

  constructor(
    db: DbService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AuthProviderConfig,
  ) {
    this.admins = new AdminRepository(db);
  }

  fromRequest(request: FastifyRequest): string | null {
    const header = request.headers.cookie;
    if (!header) return null;
    const token = parse(header)[SESSION_COOKIE];
    return token ?? null;
  }

  async authenticate(token: string, request: FastifyRequest): Promise<Principal> {
    if (!isWellFormedSessionToken(token)) throw AdminErrors.sessionExpired();
    const row = await this.admins.touchSession(
      hashAdminToken(token),
      this.clock.now(),
      this.config.ADMIN_SESSION_IDLE_MINUTES * 60,
    );
    if (!row || !row.live || !row.role) throw AdminErrors.sessionExpired();
    if (row.tenantSuspended) throw tenantSuspended();
    assertCsrf(request, token);
    return {
      kind: 'admin',
      tenantId: row.tenantId,
      adminId: row.adminId,
      sessionId: row.id,
      role: row.role,
      permissions: permissionsOfRole(row.role),
    };
  }
}
