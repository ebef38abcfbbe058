import { Injectable } from '@nestjs/common';
import type { TenantScope } from '@twofold/platform/db';
import type { AuthMethodName, AuthenticationStatus } from '@twofold/authentication/domain';

export interface AuthenticationRow {
  id: string;
  tenantId: string;
  providerId: string;
  serverId: string | null;
  userId: string | null;
  userName: string;
  method: AuthMethodName;
  status: AuthenticationStatus;
  codeHash: string | null;
  attempts: number;
  sendsCount: number;
  phone: string | null;
  deviceActivationId: string | null;
  expiresAt: Date;
  denyReason: string | null;
  clientIp: string | null;
  correlationId: string;
  createdAt: Date;
  completedAt: Date | null;
}

export type NewAuthentication = Omit<
  AuthenticationRow,
  'tenantId' | 'createdAt' | 'completedAt' | 'denyReason' | 'attempts' | 'status'
> & {
  status?: AuthenticationStatus;
  denyReason?: string | null;
  completedAt?: Date | null;
};

const FIELDS = {
  id: true,
  tenantId: true,
  providerId: true,
  serverId: true,
  userId: true,
  userName: true,
  method: true,
  status: true,
  codeHash: true,
  attempts: true,
  sendsCount: true,
  phone: true,
  deviceActivationId: true,
  expiresAt: true,
  denyReason: true,
  clientIp: true,
  correlationId: true,
  createdAt: true,
  completedAt: true,
} as const;

@Injectable()
export class AuthenticationRepository {
  async create(scope: TenantScope, input: NewAuthentication): Promise<AuthenticationRow> {
    return scope.tx.authentication.create({ data: { tenantId: scope.tenantId, ...input }, select: FIELDS });
  }

  /** Reads and locks the row: verifications of one authentication serialise here. */
  async lock(scope: TenantScope, id: string): Promise<AuthenticationRow | null> {
    await scope.tx
      .$executeRaw`SELECT 1 FROM authentications WHERE tenant_id = ${scope.tenantId}::uuid AND id = ${id}::uuid FOR UPDATE`;
    return this.find(scope, id);
  }

  async find(scope: TenantScope, id: string): Promise<AuthenticationRow | null> {
    return scope.tx.authentication.findFirst({ where: { tenantId: scope.tenantId, id }, select: FIELDS });
  }

  async update(
    scope: TenantScope,
    id: string,
    patch: Partial<
      Pick<
        AuthenticationRow,
        | 'status'
        | 'codeHash'
        | 'attempts'
        | 'sendsCount'
        | 'phone'
        | 'method'
        | 'deviceActivationId'
        | 'denyReason'
        | 'completedAt'
      >
    >,
  ): Promise<AuthenticationRow> {
    return scope.tx.authentication.update({
      where: { tenantId_id: { tenantId: scope.tenantId, id } },
      data: patch,
      select: FIELDS,
    });
  }

  /** Pending authentications past their expiry, across tenants (the sweeper; SECURITY DEFINER lookup). */
  async expiredPending(
    client: { $queryRaw: TenantScope['tx']['$queryRaw'] },
    limit: number,
  ): Promise<{ tenantId: string; id: string }[]> {
    const rows = await client.$queryRaw<{ tenant_id: string; id: string }[]>`
      SELECT tenant_id::text, id::text FROM twofold_expired_authentications(${limit}::int)`;
    return rows.map((r) => ({ tenantId: r.tenant_id, id: r.id }));
  }
}
