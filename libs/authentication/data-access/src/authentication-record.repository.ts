import { Injectable } from '@nestjs/common';
import type { TenantScope } from '@twofold/platform/db';
import type { AuthMethodName } from '@twofold/authentication/domain';

/** R26: everything an authentication record may hold; optional fields already filtered by the provider's choice. */
export interface NewAuthenticationRecord {
  authenticationId: string;
  providerId: string;
  occurredAt: Date;
  uniqueId: string;
  userId: string | null;
  serverId: string | null;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  deviceToken: string | null;
  method: AuthMethodName;
  mode: string | null;
  result: 'success' | 'deny';
  denyReason: string | null;
  serverName: string | null;
  serverIp: string | null;
  clientIp: string | null;
  dataRegion: 'us' | 'eu' | 'uk' | 'ca' | 'au';
  deliveryStatus: 'queued' | 'sent' | 'delivered' | 'undelivered' | 'failed' | null;
  correlationId: string;
}

/**
 * One record per authentication, written in the transaction that closes it. `occurredAt` is the
 * authentication's completion time, so a retried write collides on (tenant, authentication,
 * occurred_at) instead of adding a second record.
 */
@Injectable()
export class AuthenticationRecordRepository {
  async write(scope: TenantScope, record: NewAuthenticationRecord): Promise<void> {
    await scope.tx.authenticationRecord.createMany({
      data: [{ tenantId: scope.tenantId, ...record }],
      skipDuplicates: true,
    });
  }

  async countFor(scope: TenantScope, authenticationId: string): Promise<number> {
    return scope.tx.authenticationRecord.count({ where: { tenantId: scope.tenantId, authenticationId } });
  }
}
