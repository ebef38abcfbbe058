import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Clock, DbService, decodeCursor, Page } from '@twofold/platform/db';
import { LinkConsentRepository, LinkConsentRow } from '@twofold/providers/data-access';
import {
  CREDENTIAL_SECRET_BYTES,
  formatLinkConsentToken,
  hashCredential,
  LINK_CONSENT_EXPIRY_HOURS,
  ProviderErrors,
} from '@twofold/providers/domain';
import type { Actor } from '@twofold/tenancy/contracts';
import { AuditLogRepository } from '@twofold/tenancy/data-access';

/** R8: a tenant lets another tenant's provider be linked to it, once, for a limited time. */
@Injectable()
export class LinkConsentsService {
  constructor(
    private readonly db: DbService,
    private readonly consents: LinkConsentRepository,
    private readonly audit: AuditLogRepository,
    private readonly clock: Clock,
  ) {}

  async create(
    tenantId: string,
    input: { providerId?: string; expiresInHours?: number },
    actor: Actor,
    correlationId: string,
  ): Promise<LinkConsentRow & { consentToken: string }> {
    const consentToken = formatLinkConsentToken(randomBytes(CREDENTIAL_SECRET_BYTES));
    const hours = input.expiresInHours ?? LINK_CONSENT_EXPIRY_HOURS.default;
    return this.db.inTenant(tenantId, async (scope) => {
      const row = await this.consents.create(scope, {
        providerId: input.providerId?.toLowerCase() ?? null,
        tokenHash: hashCredential(consentToken),
        expiresAt: new Date(this.clock.now().getTime() + hours * 3600_000),
      });
      await this.audit.record(scope, actor, {
        action: 'link_consent.create',
        targetType: 'link_consent',
        targetId: row.id,
        correlationId,
        details: { after: { providerId: row.providerId, expiresAt: row.expiresAt } },
      });
      return { ...row, consentToken };
    });
  }

  list(tenantId: string, limit: number, cursor?: string): Promise<Page<LinkConsentRow>> {
    const after = decodeCursor(cursor);
    return this.db.inTenant(tenantId, (scope) => this.consents.list(scope, { limit, cursor: after }));
  }

  async revoke(tenantId: string, id: string, actor: Actor, correlationId: string): Promise<void> {
    await this.db.inTenant(tenantId, async (scope) => {
      const row = await this.consents.find(scope, id);
      if (!row) throw ProviderErrors.linkConsentNotFound();
      if (!(await this.consents.revoke(scope, id, this.clock.now()))) return;
      await this.audit.record(scope, actor, {
        action: 'link_consent.revoke',
        targetType: 'link_consent',
        targetId: id,
        correlationId,
      });
    });
  }
}
