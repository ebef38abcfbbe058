import { Injectable } from '@nestjs/common';
import { type CredentialVerifier, type Principal, tenantSuspended } from '@twofold/platform/auth';
import { Clock, DbService } from '@twofold/platform/db';
import {
  hashCredential,
  isWellFormedServerCredential,
  LAST_SEEN_RESOLUTION_MS,
  SERVER_CREDENTIAL_PREFIX,
} from '@twofold/providers/domain';

/** Bounds the in-process "recently touched" memo; it is an optimisation only, never a source of truth. */
const MEMO_LIMIT = 10_000;

/**
 * R12: authenticates an activated MFA server by its `tfs_` credential, through the narrow SECURITY
 * DEFINER lookup (no tenant is known yet). A revoked server (admin revoke or R8 relink) is refused
 * from the next lookup: at once in the process that revoked it, within CREDENTIAL_CACHE_MS (≤ 1 s)
 * in the others (docs/decisions/0027).
 */
@Injectable()
export class DbMfaServerVerifier implements CredentialVerifier {
  readonly prefix = SERVER_CREDENTIAL_PREFIX;
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly db: DbService,
    private readonly clock: Clock,
  ) {}

  async verify(rawCredential: string): Promise<Principal | null> {
    if (!isWellFormedServerCredential(rawCredential)) return null;
    // Plain pg (DbService.query): this runs on every server call, Prisma's per-statement cost is not worth it here.
    // The tenant's state comes from the same call (docs/decisions/0026): no second round trip.
    const rows = await this.db.query<{
      id: string;
      tenant_id: string;
      provider_id: string;
      revoked_at: Date | null;
      tenant_suspended: boolean;
    }>(
      'SELECT id::text, tenant_id::text, provider_id::text, revoked_at, tenant_suspended FROM twofold_find_mfa_server($1)',
      [hashCredential(rawCredential)],
    );
    const row = rows[0];
    if (!row || row.revoked_at) return null;
    if (row.tenant_suspended) throw tenantSuspended();
    await this.recordSeen(row.tenant_id, row.id);
    return { kind: 'mfa_server', tenantId: row.tenant_id, serverId: row.id, providerId: row.provider_id };
  }

  /**
   * lastSeenAt is written at most once a minute per server: the memo skips the transaction between
   * writes in this process, the WHERE clause keeps it so across replicas.
   */
  private async recordSeen(tenantId: string, serverId: string): Promise<void> {
    const now = this.clock.now();
    const last = this.touched.get(serverId);
    if (last !== undefined && now.getTime() - last < LAST_SEEN_RESOLUTION_MS) return;
    if (this.touched.size >= MEMO_LIMIT) this.touched.clear();
    this.touched.set(serverId, now.getTime());
    const stale = new Date(now.getTime() - LAST_SEEN_RESOLUTION_MS);
    await this.db.inTenant(tenantId, (scope) =>
      scope.tx.mfaServer.updateMany({
        where: {
          tenantId,
          id: serverId,
          revokedAt: null,
          OR: [{ lastSeenAt: null }, { lastSeenAt: { lt: stale } }],
        },
        data: { lastSeenAt: now },
      }),
    );
  }
}
