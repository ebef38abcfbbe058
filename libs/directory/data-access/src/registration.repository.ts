import { Injectable } from '@nestjs/common';
import type { TenantScope } from '@twofold/platform/db';
import type { RegistrationReasonCode } from '@twofold/directory/domain';
import { AuthMethod } from '@twofold/directory/contracts';

/** The part of a user that methods and registration read and change. */
export interface UserRegistrationState {
  id: string;
  userName: string;
  mfaEnabled: boolean;
  defaultMethod: AuthMethod | null;
  registrationReasons: RegistrationReasonCode[];
}

/** users.default_method and users.registration_reasons (R19, R20, R15). */
@Injectable()
export class RegistrationRepository {
  /** Locks the user row (FOR UPDATE) when `forUpdate`, so changes to one user's methods serialise. */
  async findUser(scope: TenantScope, userId: string, forUpdate = false): Promise<UserRegistrationState | null> {
    if (forUpdate) {
      await scope.tx
        .$executeRaw`SELECT 1 FROM users WHERE tenant_id = ${scope.tenantId}::uuid AND id = ${userId}::uuid FOR UPDATE`;
    }
    const row = await scope.tx.user.findFirst({
      where: { tenantId: scope.tenantId, id: userId },
      select: { id: true, userName: true, mfaEnabled: true, defaultMethod: true, registrationReasons: true },
    });
    return row as UserRegistrationState | null;
  }

  async setState(
    scope: TenantScope,
    userId: string,
    state: { defaultMethod: AuthMethod | null; registrationReasons: RegistrationReasonCode[] },
  ): Promise<void> {
    await scope.tx.user.updateMany({ where: { tenantId: scope.tenantId, id: userId }, data: state });
  }

  /**
   * R20, in one statement: every user whose default was `method` loses that default and gets the
   * reason `method_disabled`. Returns how many users were flagged.
   */
  async flagDefaultMethodDisabled(scope: TenantScope, method: AuthMethod): Promise<number> {
    return scope.tx.$executeRaw`
      UPDATE users
         SET default_method = NULL,
             registration_reasons = CASE
               WHEN 'method_disabled'::registration_reason = ANY(registration_reasons) THEN registration_reasons
               ELSE array_append(registration_reasons, 'method_disabled'::registration_reason)
             END,
             updated_at = now()
       WHERE tenant_id = ${scope.tenantId}::uuid AND default_method = ${method}::auth_method`;
  }
}
