import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Clock, DbService, decodeCursor, Page } from '@twofold/platform/db';
import { tenantSuspended } from '@twofold/platform/auth';
import { SlidingWindowLimiter } from '@twofold/platform/queue';
import {
  ActivationCredentialRepository,
  ActivationCredentialRow,
  MfaServerPatch,
  MfaServerRepository,
  MfaServerRow,
  ProviderRepository,
} from '@twofold/providers/data-access';
import {
  ACTIVATION_EXPIRY_MINUTES,
  CREDENTIAL_SECRET_BYTES,
  formatActivationCredential,
  formatServerCredential,
  hashCredential,
  isActivationCredentialUsable,
  isWellFormedActivationCredential,
  mfaServerStatus,
  MfaServerStatus,
  PENDING_SMS_TIMEOUT_SECONDS,
  ProviderErrors,
} from '@twofold/providers/domain';
import type { Actor } from '@twofold/tenancy/contracts';
import { AuditLogRepository } from '@twofold/tenancy/data-access';

export type MfaServerView = MfaServerRow & { status: MfaServerStatus };

/** The per-IP limiter of POST /v1/mfa-servers/activate (a SlidingWindowLimiter on the shared Redis). */
export const ACTIVATION_LIMITER = Symbol('ACTIVATION_LIMITER');

export interface ActivationInput {
  activationCredential: string;
  name: string;
  pendingSmsTimeoutSeconds?: number;
  voiceCallerId?: string;
  ipAddress: string | null;
}

export interface Activated {
  server: MfaServerRow;
  serverCredential: string;
}

/** R12: activation credentials, server activation, and the admin's view of the servers. */
@Injectable()
export class MfaServersService {
  constructor(
    private readonly db: DbService,
    private readonly providers: ProviderRepository,
    private readonly servers: MfaServerRepository,
    private readonly credentials: ActivationCredentialRepository,
    private readonly audit: AuditLogRepository,
    private readonly clock: Clock,
    @Inject(ACTIVATION_LIMITER) private readonly activationLimit: SlidingWindowLimiter,
  ) {}

  async createActivationCredential(
    tenantId: string,
    providerId: string,
    expiresInMinutes: number | undefined,
    actor: Actor,
    correlationId: string,
  ): Promise<ActivationCredentialRow & { credential: string }> {
    const credential = formatActivationCredential(randomBytes(CREDENTIAL_SECRET_BYTES));
    const minutes = expiresInMinutes ?? ACTIVATION_EXPIRY_MINUTES.default;
    return this.db.inTenant(tenantId, async (scope) => {
      // Locked: a concurrent re-link (which revokes unused credentials) is ordered before or after.
      if (!(await this.providers.find(scope, providerId, true))) throw ProviderErrors.notFound();
      const row = await this.credentials.create(scope, {
        providerId,
        credentialHash: hashCredential(credential),
        expiresAt: new Date(this.clock.now().getTime() + minutes * 60_000),
      });
      await this.audit.record(scope, actor, {
        action: 'activation_credential.create',
        targetType: 'activation_credential',
        targetId: row.id,
        correlationId,
        details: { after: { providerId, expiresAt: row.expiresAt } },
      });
      return { ...row, credential };
    });
  }

  async listActivationCredentials(
    tenantId: string,
    providerId: string,
    limit: number,
    cursor?: string,
  ): Promise<Page<ActivationCredentialRow>> {
    const after = decodeCursor(cursor);
    return this.db.inTenant(tenantId, async (scope) => {
      if (!(await this.providers.find(scope, providerId))) throw ProviderErrors.notFound();
      return this.credentials.list(scope, providerId, { limit, cursor: after });
    });
  }

  /** Revoking twice is a no-op; a used credential cannot be revoked (revoke its server instead). */
  async revokeActivationCredential(
    tenantId: string,
    providerId: string,
    id: string,
    actor: Actor,
    correlationId: string,
  ): Promise<void> {
    await this.db.inTenant(tenantId, async (scope) => {
      if (!(await this.providers.find(scope, providerId))) throw ProviderErrors.notFound();
      const row = await this.credentials.find(scope, providerId, id);
      if (!row) throw ProviderErrors.activationCredentialNotFound();
      if (row.revokedAt) return;
      if (row.usedAt || !(await this.credentials.revoke(scope, id, this.clock.now()))) {
        throw ProviderErrors.activationCredentialUsed();
      }
      await this.audit.record(scope, actor, {
        action: 'activation_credential.revoke',
        targetType: 'activation_credential',
        targetId: id,
        correlationId,
        details: { before: { revokedAt: null }, after: { revokedAt: this.clock.now() }, providerId },
      });
    });
  }

  /**
   * Called by the on-premises server itself, with no other credential. Unknown, used, revoked and
   * expired credentials all answer `activation_credential_invalid`. The credential is taken by one
   * conditional UPDATE, so of two concurrent activations exactly one wins.
   */
  async activate(input: ActivationInput, correlationId: string): Promise<Activated> {
    // Every attempt counts, valid or not, before any database work.
    const attempt = await this.activationLimit.hit(input.ipAddress ?? 'unknown', this.clock.now().getTime());
    if (!attempt.allowed) throw ProviderErrors.activationRateLimited(attempt.retryAfterSeconds);
    if (!isWellFormedActivationCredential(input.activationCredential)) {
      throw ProviderErrors.activationCredentialInvalid();
    }
    const found = await this.credentials.lookup(hashCredential(input.activationCredential));
    if (!found || !isActivationCredentialUsable(found, this.clock.now())) {
      throw ProviderErrors.activationCredentialInvalid();
    }
    // docs/decisions/0026: a usable credential of a suspended tenant is refused, and stays usable.
    if (found.tenantSuspended) throw tenantSuspended();
    const serverCredential = formatServerCredential(randomBytes(CREDENTIAL_SECRET_BYTES));
    return this.db.inTenant(found.tenantId, async (scope) => {
      // Same lock order as a re-link (provider, then credentials/servers): a server activated
      // concurrently with a re-link is either revoked by it or activated after it, never missed.
      if (!(await this.providers.find(scope, found.providerId, true))) {
        throw ProviderErrors.activationCredentialInvalid();
      }
      if (!(await this.credentials.consume(scope, found.id, this.clock.now()))) {
        throw ProviderErrors.activationCredentialInvalid();
      }
      const server = await this.servers.create(scope, {
        providerId: found.providerId,
        name: input.name,
        ipAddress: input.ipAddress,
        pendingSmsTimeoutSeconds: input.pendingSmsTimeoutSeconds ?? PENDING_SMS_TIMEOUT_SECONDS.default,
        voiceCallerId: input.voiceCallerId ?? null,
        credentialHash: hashCredential(serverCredential),
      });
      await this.credentials.recordUser(scope, found.id, server.id);
      await this.audit.record(
        scope,
        { type: 'mfa_server', serverId: server.id },
        {
          action: 'mfa_server.activate',
          targetType: 'mfa_server',
          targetId: server.id,
          correlationId,
          details: {
            after: {
              providerId: server.providerId,
              name: server.name,
              ipAddress: server.ipAddress,
              pendingSmsTimeoutSeconds: server.pendingSmsTimeoutSeconds,
              voiceCallerId: server.voiceCallerId,
            },
            activationCredentialId: found.id,
          },
        },
      );
      return { server, serverCredential };
    });
  }

  async list(tenantId: string, limit: number, cursor?: string, providerId?: string): Promise<Page<MfaServerView>> {
    const after = decodeCursor(cursor);
    return this.db.inTenant(tenantId, async (scope) => {
      const page = await this.servers.list(scope, { limit, cursor: after, providerId });
      return { items: this.withStatus(page.items), nextCursor: page.nextCursor };
    });
  }

  async get(tenantId: string, id: string): Promise<MfaServerView> {
    return this.db.inTenant(tenantId, async (scope) => {
      const row = await this.servers.find(scope, id);
      if (!row) throw ProviderErrors.mfaServerNotFound();
      return this.withStatus([row])[0] as MfaServerView;
    });
  }

  async update(
    tenantId: string,
    id: string,
    patch: MfaServerPatch,
    actor: Actor,
    correlationId: string,
  ): Promise<MfaServerView> {
    return this.db.inTenant(tenantId, async (scope) => {
      const before = await this.servers.find(scope, id);
      if (!before) throw ProviderErrors.mfaServerNotFound();
      const after = await this.servers.update(scope, id, patch);
      const keys = Object.keys(patch) as (keyof MfaServerPatch)[];
      await this.audit.record(scope, actor, {
        action: 'mfa_server.update',
        targetType: 'mfa_server',
        targetId: id,
        correlationId,
        details: {
          before: Object.fromEntries(keys.map((k) => [k, before[k]])),
          after: Object.fromEntries(keys.map((k) => [k, after[k]])),
        },
      });
      return this.withStatus([after])[0] as MfaServerView;
    });
  }

  /** The server's credential stops working on its next request (no cache). Revoking twice is a no-op. */
  async revoke(tenantId: string, id: string, actor: Actor, correlationId: string): Promise<void> {
    await this.db.inTenant(tenantId, async (scope) => {
      const row = await this.servers.find(scope, id);
      if (!row) throw ProviderErrors.mfaServerNotFound();
      const at = this.clock.now();
      if (!(await this.servers.revoke(scope, id, at, 'admin'))) return;
      await this.audit.record(scope, actor, {
        action: 'mfa_server.revoke',
        targetType: 'mfa_server',
        targetId: id,
        correlationId,
        details: { before: { revokedAt: null }, after: { revokedAt: at }, name: row.name },
      });
    });
  }

  private withStatus(rows: MfaServerRow[]): MfaServerView[] {
    return rows.map((r) => ({ ...r, status: mfaServerStatus(r.revokedAt, r.revokedReason === 'relinked') }));
  }
}
