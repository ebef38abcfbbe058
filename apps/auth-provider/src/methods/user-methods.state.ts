import { Injectable } from '@nestjs/common';
import {
  MethodPolicyRepository,
  MethodRepository,
  RegistrationRepository,
  TenantMethodSettings,
  UserRegistrationState,
} from '@twofold/directory/data-access';
import {
  effectivePolicy,
  MethodPolicy,
  reasonsAfterChange,
  RegistrationReasonCode,
  resolveDefaultMethod,
  UserErrors,
} from '@twofold/directory/domain';
import type { TenantScope } from '@twofold/platform/db';
import { AuthMethod } from '@twofold/directory/contracts';

export interface SettledState {
  registered: AuthMethod[];
  defaultMethod: AuthMethod | null;
  registrationReasons: RegistrationReasonCode[];
}

/**
 * Shared by methods, devices and app passwords: the user (404 when it is not the tenant's), the
 * tenant's effective policy, and the default method and stored reasons after a change of methods.
 */
@Injectable()
export class UserMethodsState {
  constructor(
    private readonly registration: RegistrationRepository,
    private readonly methods: MethodRepository,
    private readonly policies: MethodPolicyRepository,
  ) {}

  async user(scope: TenantScope, userId: string, forUpdate = false): Promise<UserRegistrationState> {
    const user = await this.registration.findUser(scope, userId, forUpdate);
    if (!user) throw UserErrors.notFound();
    return user;
  }

  async policy(scope: TenantScope): Promise<{ settings: TenantMethodSettings; policy: MethodPolicy }> {
    const [settings, rows] = await Promise.all([this.policies.settings(scope), this.policies.list(scope)]);
    return { settings, policy: effectivePolicy(settings.tier, rows) };
  }

  /** Recomputes the default and the stored reasons from the registered methods; writes only a change. */
  async settle(scope: TenantScope, user: UserRegistrationState, policy: MethodPolicy): Promise<SettledState> {
    const registered = (await this.methods.list(scope, user.id)).map((m) => m.method);
    const defaultMethod = resolveDefaultMethod(user.defaultMethod, registered, policy);
    const registrationReasons = reasonsAfterChange(user.registrationReasons, registered, defaultMethod);
    if (defaultMethod !== user.defaultMethod || registrationReasons.join() !== user.registrationReasons.join()) {
      await this.registration.setState(scope, user.id, { defaultMethod, registrationReasons });
    }
    return { registered, defaultMethod, registrationReasons };
  }
}
