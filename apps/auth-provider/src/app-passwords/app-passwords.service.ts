import { Injectable } from '@nestjs/common';
import { AppPasswordRepository, AppPasswordRow } from '@twofold/directory/data-access';
import {
  assertMethodAllowed,
  DirectoryErrors,
  generateAppPassword,
  hashAppPassword,
  MAX_APP_PASSWORDS_PER_USER,
} from '@twofold/directory/domain';
import { DbService } from '@twofold/platform/db';
import type { Actor } from '@twofold/tenancy/contracts';
import { AuditLogRepository } from '@twofold/tenancy/data-access';
import { KeyDerivation } from '../common/key-derivation';
import { UserMethodsState } from '../methods/user-methods.state';

@Injectable()
export class AppPasswordsService {
  constructor(
    private readonly db: DbService,
    private readonly state: UserMethodsState,
    private readonly appPasswords: AppPasswordRepository,
    private readonly audit: AuditLogRepository,
    private readonly kdf: KeyDerivation,
  ) {}

  /**
   * R17: only where the tenant allows app passwords (and the policy/tier allows the method), and at
   * most MAX_APP_PASSWORDS_PER_USER per user: each sign-in tries them all (docs/decisions/0020).
   */
  async create(
    tenantId: string,
    userId: string,
    name: string,
    actor: Actor,
    correlationId: string,
  ): Promise<AppPasswordRow & { password: string }> {
    const password = generateAppPassword();
    // Hashed before the transaction (scrypt costs tens of milliseconds and needs no lock), in the
    // bounded pool that sign-ins use too.
    const passwordHash = await this.kdf.appPasswords.run(tenantId, () => hashAppPassword(password));
    const row = await this.db.inTenant(tenantId, async (scope) => {
      await this.state.user(scope, userId, true);
      const { settings, policy } = await this.state.policy(scope);
      if (!settings.appPasswordsAllowed) throw DirectoryErrors.appPasswordsNotAllowed();
      assertMethodAllowed(settings.tier, policy, 'app_password');
      // The user's row is locked above: concurrent creations count one after another.
      if ((await this.appPasswords.count(scope, userId)) >= MAX_APP_PASSWORDS_PER_USER)
        throw DirectoryErrors.appPasswordLimitReached(MAX_APP_PASSWORDS_PER_USER);
      const created = await this.appPasswords.create(scope, userId, name, passwordHash);
      await this.audit.record(scope, actor, {
        action: 'user.app_password.create',
        targetType: 'app_password',
        targetId: created.id,
        correlationId,
        details: { userId, before: null, after: { name } },
      });
      return created;
    });
    return { ...row, password };
  }

  list(tenantId: string, userId: string): Promise<AppPasswordRow[]> {
    return this.db.inTenant(tenantId, async (scope) => {
      await this.state.user(scope, userId);
      return this.appPasswords.list(scope, userId);
    });
  }

  async delete(tenantId: string, userId: string, id: string, actor: Actor, correlationId: string): Promise<void> {
    await this.db.inTenant(tenantId, async (scope) => {
      await this.state.user(scope, userId);
      const current = await this.appPasswords.find(scope, userId, id);
      if (!current) throw DirectoryErrors.appPasswordNotFound();
      await this.appPasswords.delete(scope, userId, id);
      await this.audit.record(scope, actor, {
        action: 'user.app_password.delete',
        targetType: 'app_password',
        targetId: id,
        correlationId,
        details: { userId, before: { name: current.name }, after: null },
      });
    });
  }

  /** R16 lost phone: every app password of the user, in one call. */
  async deleteAll(tenantId: string, userId: string, actor: Actor, correlationId: string): Promise<number> {
    return this.db.inTenant(tenantId, async (scope) => {
      await this.state.user(scope, userId);
      const deleted = await this.appPasswords.delete(scope, userId);
      await this.audit.record(scope, actor, {
        action: 'user.app_password.delete_all',
        targetType: 'user',
        targetId: userId,
        correlationId,
        details: { deleted },
      });
      return deleted;
    });
  }
}
