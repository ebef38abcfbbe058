import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DeviceActivationRepository, DeviceActivationRow, MethodRepository } from '@twofold/directory/data-access';
import {
  APP_METHODS,
  assertMethodAllowed,
  DirectoryErrors,
  newAuthenticatorSecrets,
  authenticatorUri,
} from '@twofold/directory/domain';
import { SecretBox } from '@twofold/platform/crypto';
import { Clock, DbService } from '@twofold/platform/db';
import type { Actor } from '@twofold/tenancy/contracts';
import { AuditLogRepository } from '@twofold/tenancy/data-access';
import { UserMethodsState } from '../methods/user-methods.state';
import { deviceSecretAad, deviceSeedAad } from '@twofold/secrets/contracts';

export interface NewActivation {
  id: string;
  otpauthUri: string;
  deviceToken: string;
  deviceSecret: string;
}

@Injectable()
export class DevicesService {
  constructor(
    private readonly db: DbService,
    private readonly state: UserMethodsState,
    private readonly devices: DeviceActivationRepository,
    private readonly methods: MethodRepository,
    private readonly box: SecretBox,
    private readonly audit: AuditLogRepository,
    private readonly clock: Clock,
  ) {}

  /**
   * Activates the authenticator app: a fresh 20-byte TOTP seed and a device secret, each sealed with
   * AES-256-GCM (bound to the row by its AAD), a device token (an address), and the app methods
   * registered. The seed and the secret leave only once, in the response.
   */
  async activate(
    tenantId: string,
    userId: string,
    deviceName: string | undefined,
    actor: Actor,
    correlationId: string,
  ): Promise<NewActivation> {
    return this.db.inTenant(tenantId, async (scope) => {
      const user = await this.state.user(scope, userId, true);
      const { settings, policy } = await this.state.policy(scope);
      const allowed = APP_METHODS.filter((m) => policy[m]);
      if (allowed.length === 0) assertMethodAllowed(settings.tier, policy, 'app_notification');
      const { seed, deviceToken, deviceSecret } = newAuthenticatorSecrets();
      const id = randomUUID();
      const sealed = this.box.seal(seed, deviceSeedAad(tenantId, userId, id));
      // Sealed right after the seed, with the same (active) key: the row's one key_id names both.
      const secret = this.box.seal(Buffer.from(deviceSecret, 'utf8'), deviceSecretAad(tenantId, userId, id));
      await this.devices.create(scope, {
        id,
        userId,
        deviceToken,
        deviceName: deviceName ?? null,
        seedCiphertext: sealed.ciphertext,
        secretCiphertext: secret.ciphertext,
        keyId: sealed.keyId,
      });
      await this.methods.ensure(scope, userId, allowed);
      const after = await this.state.settle(scope, user, policy);
      await this.audit.record(scope, actor, {
        action: 'user.device.activate',
        targetType: 'device_activation',
        targetId: id,
        correlationId,
        details: {
          userId,
          deviceName: deviceName ?? null,
          methods: allowed,
          before: { defaultMethod: user.defaultMethod, registrationReasons: user.registrationReasons },
          after: { defaultMethod: after.defaultMethod, registrationReasons: after.registrationReasons },
        },
      });
      return { id, otpauthUri: authenticatorUri(user.userName, seed), deviceToken, deviceSecret };
    });
  }

  list(tenantId: string, userId: string): Promise<DeviceActivationRow[]> {
    return this.db.inTenant(tenantId, async (scope) => {
      await this.state.user(scope, userId);
      return this.devices.list(scope, userId);
    });
  }

  /**
   * Deactivates (the row stays, R18 needs it to explain `account_not_activated`). When the user has
   * no active device left, the app methods go too and the default moves on.
   */
  async deactivate(
    tenantId: string,
    userId: string,
    deviceId: string,
    actor: Actor,
    correlationId: string,
  ): Promise<void> {
    await this.db.inTenant(tenantId, async (scope) => {
      const user = await this.state.user(scope, userId, true);
      const device = await this.devices.find(scope, userId, deviceId);
      if (!device) throw DirectoryErrors.deviceNotFound();
      if (!device.active) return;
      await this.devices.deactivate(scope, userId, this.clock.now(), deviceId);
      let removedMethods: string[] = [];
      if ((await this.devices.countActive(scope, userId)) === 0) {
        await this.methods.remove(scope, userId, APP_METHODS);
        removedMethods = [...APP_METHODS];
      }
      const { policy } = await this.state.policy(scope);
      const after = await this.state.settle(scope, user, policy);
      await this.audit.record(scope, actor, {
        action: 'user.device.deactivate',
        targetType: 'device_activation',
        targetId: deviceId,
        correlationId,
        details: {
          userId,
          removedMethods,
          before: { active: true, defaultMethod: user.defaultMethod },
          after: { active: false, defaultMethod: after.defaultMethod },
        },
      });
    });
  }
}
