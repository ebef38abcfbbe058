import { Injectable } from '@nestjs/common';
import {
  AppPasswordRepository,
  DeviceActivationRepository,
  MethodRepository,
  RegistrationRepository,
} from '@twofold/directory/data-access';
import {
  APP_METHODS,
  assertMethodAllowed,
  DirectoryErrors,
  INTERACTIVE_METHODS,
  normalisePhone,
  PHONE_METHODS,
  PolicyRegistrationReason,
  reasonsAfterChange,
  reasonsAfterReset,
  reasonsWithPolicy,
  registrationView,
  RegistrationView,
  UserErrors,
} from '@twofold/directory/domain';
import { Clock, DbService, isUniqueViolation, TenantScope } from '@twofold/platform/db';
import { ValidationError } from '@twofold/platform/errors';
import type { Actor } from '@twofold/tenancy/contracts';
import { AuditLogRepository } from '@twofold/tenancy/data-access';
import type { MethodRow } from '@twofold/directory/data-access';
import { UserMethodsState } from './user-methods.state';
import { AuthMethod } from '@twofold/directory/contracts';

export interface MethodList {
  items: MethodRow[];
  defaultMethod: AuthMethod | null;
}

@Injectable()
export class MethodsService {
  constructor(
    private readonly db: DbService,
    private readonly state: UserMethodsState,
    private readonly methods: MethodRepository,
    private readonly registration: RegistrationRepository,
    private readonly devices: DeviceActivationRepository,
    private readonly appPasswords: AppPasswordRepository,
    private readonly audit: AuditLogRepository,
    private readonly clock: Clock,
  ) {}

  list(tenantId: string, userId: string): Promise<MethodList> {
    return this.db.inTenant(tenantId, async (scope) => {
      const user = await this.state.user(scope, userId);
      return { items: await this.methods.list(scope, userId), defaultMethod: user.defaultMethod };
    });
  }

  /** R11: one registration per method kind; the prerequisites of each kind are checked here. */
  async register(
    tenantId: string,
    userId: string,
    input: { method: AuthMethod; phoneNumber?: string },
    actor: Actor,
    correlationId: string,
  ): Promise<MethodRow> {
    return this.db.inTenant(tenantId, async (scope) => {
      const user = await this.state.user(scope, userId, true);
      const { settings, policy } = await this.state.policy(scope);
      const phone = this.phoneFor(input.method, input.phoneNumber, settings.phoneDefaultRegion);
      assertMethodAllowed(settings.tier, policy, input.method);
      await this.assertPrerequisites(scope, userId, input.method, settings.appPasswordsAllowed);
      // The user row is locked, so this check and the insert cannot interleave with another request.
      const existing = await this.methods.list(scope, userId);
      if (existing.some((m) => m.method === input.method)) throw DirectoryErrors.methodAlreadyRegistered(input.method);
      let row: MethodRow;
      try {
        row = await this.methods.add(scope, userId, input.method, phone);
      } catch (error) {
        if (isUniqueViolation(error)) throw DirectoryErrors.methodAlreadyRegistered(input.method);
        throw error;
      }
      const after = await this.state.settle(scope, user, policy);
      await this.audit.record(scope, actor, {
        action: 'user.method.register',
        targetType: 'user',
        targetId: userId,
        correlationId,
        // The phone number is personal data: the audit keeps only that one was given.
        details: {
          method: input.method,
          phoneNumber: phone ? 'set' : undefined,
          before: { defaultMethod: user.defaultMethod, registrationReasons: user.registrationReasons },
          after: { defaultMethod: after.defaultMethod, registrationReasons: after.registrationReasons },
        },
      });
      return row;
    });
  }

  async unregister(
    tenantId: string,
    userId: string,
    method: AuthMethod,
    actor: Actor,
    correlationId: string,
  ): Promise<void> {
    await this.db.inTenant(tenantId, async (scope) => {
      const user = await this.state.user(scope, userId, true);
      const { policy } = await this.state.policy(scope);
      if ((await this.methods.remove(scope, userId, [method])) === 0) throw DirectoryErrors.methodNotFound(method);
      const after = await this.state.settle(scope, user, policy);
      await this.audit.record(scope, actor, {
        action: 'user.method.delete',
        targetType: 'user',
        targetId: userId,
        correlationId,
        details: {
          method,
          before: { defaultMethod: user.defaultMethod },
          after: { defaultMethod: after.defaultMethod },
        },
      });
    });
  }

  async setDefault(
    tenantId: string,
    userId: string,
    method: AuthMethod,
    actor: Actor,
    correlationId: string,
  ): Promise<MethodList> {
    return this.db.inTenant(tenantId, async (scope) => {
      const user = await this.state.user(scope, userId, true);
      const { settings, policy } = await this.state.policy(scope);
      const items = await this.methods.list(scope, userId);
      if (!items.some((m) => m.method === method)) throw DirectoryErrors.methodNotFound(method);
      assertMethodAllowed(settings.tier, policy, method);
      if (!INTERACTIVE_METHODS.includes(method)) throw DirectoryErrors.methodNotDefaultable(method);
      const registrationReasons = reasonsAfterChange(
        user.registrationReasons,
        items.map((m) => m.method),
        method,
      );
      if (method === user.defaultMethod && registrationReasons.join() === user.registrationReasons.join()) {
        return { items, defaultMethod: method };
      }
      await this.registration.setState(scope, userId, { defaultMethod: method, registrationReasons });
      await this.audit.record(scope, actor, {
        action: 'user.default_method.set',
        targetType: 'user',
        targetId: userId,
        correlationId,
        details: {
          before: { defaultMethod: user.defaultMethod, registrationReasons: user.registrationReasons },
          after: { defaultMethod: method, registrationReasons },
        },
      });
      return { items, defaultMethod: method };
    });
  }

  registrationStatus(tenantId: string, userId: string): Promise<RegistrationView> {
    return this.db.inTenant(tenantId, (scope) => this.view(scope, userId));
  }

  async setRequirements(
    tenantId: string,
    userId: string,
    reasons: PolicyRegistrationReason[],
    actor: Actor,
    correlationId: string,
  ): Promise<RegistrationView> {
    return this.db.inTenant(tenantId, async (scope) => {
      const user = await this.state.user(scope, userId, true);
      const next = reasonsWithPolicy(user.registrationReasons, reasons);
      if (next.join() !== user.registrationReasons.join()) {
        await this.registration.setState(scope, userId, {
          defaultMethod: user.defaultMethod,
          registrationReasons: next,
        });
        await this.audit.record(scope, actor, {
          action: 'user.registration_requirements.set',
          targetType: 'user',
          targetId: userId,
          correlationId,
          details: { before: { registrationReasons: user.registrationReasons }, after: { registrationReasons: next } },
        });
      }
      return this.view(scope, userId);
    });
  }

  /**
   * R15: methods, default, device activations (deactivated, rows kept) and app passwords go; the
   * user must register again (`reset_by_admin`). Assigned hardware tokens stay assigned: the user
   * still holds the token, and re-registering oath_token needs it.
   */
  async reset(tenantId: string, userId: string, actor: Actor, correlationId: string): Promise<RegistrationView> {
    return this.db.inTenant(tenantId, async (scope) => {
      const user = await this.state.user(scope, userId, true);
      const methods = await this.methods.remove(scope, userId);
      const devices = await this.devices.deactivate(scope, userId, this.clock.now());
      const appPasswords = await this.appPasswords.delete(scope, userId);
      const registrationReasons = reasonsAfterReset(user.registrationReasons);
      await this.registration.setState(scope, userId, { defaultMethod: null, registrationReasons });
      await this.audit.record(scope, actor, {
        action: 'user.reset',
        targetType: 'user',
        targetId: userId,
        correlationId,
        details: {
          removed: { methods, devicesDeactivated: devices, appPasswords },
          before: { defaultMethod: user.defaultMethod, registrationReasons: user.registrationReasons },
          after: { defaultMethod: null, registrationReasons },
        },
      });
      return this.view(scope, userId);
    });
  }

  private async view(scope: TenantScope, userId: string): Promise<RegistrationView> {
    const user = await this.state.user(scope, userId);
    const registered = (await this.methods.list(scope, userId)).map((m) => m.method);
    return registrationView(user.registrationReasons, user.mfaEnabled, registered);
  }

  /** R22 and toll-fraud classes (docs/decisions/0019): the number in E.164, checked for its channel. */
  private phoneFor(method: AuthMethod, raw: string | undefined, defaultRegion: string | null): string | null {
    if (!PHONE_METHODS.includes(method)) {
      if (raw !== undefined) {
        throw new ValidationError([{ field: 'phoneNumber', problems: [`phoneNumber is only for sms and voice`] }]);
      }
      return null;
    }
    if (raw === undefined) {
      throw new ValidationError([{ field: 'phoneNumber', problems: [`phoneNumber is required for ${method}`] }]);
    }
    const channel = method === 'sms' ? 'sms' : 'voice';
    return UserErrors.phoneOrThrow('phoneNumber', normalisePhone(raw, { defaultRegion, channel }));
  }

  private async assertPrerequisites(
    scope: TenantScope,
    userId: string,
    method: AuthMethod,
    appPasswordsAllowed: boolean,
  ): Promise<void> {
    if (APP_METHODS.includes(method) && (await this.devices.countActive(scope, userId)) === 0) {
      throw DirectoryErrors.deviceActivationRequired(method);
    }
    if (method === 'oath_token' && !(await this.methods.hasAssignedOathToken(scope, userId))) {
      throw DirectoryErrors.oathTokenRequired();
    }
    if (method === 'app_password' && !appPasswordsAllowed) throw DirectoryErrors.appPasswordsNotAllowed();
  }
}
