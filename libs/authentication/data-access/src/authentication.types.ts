import type { AuthenticationRecordDraft, AuthenticationStatus } from '@twofold/authentication/domain';
import { AuthMethod } from '@twofold/directory/contracts';

export interface AuthenticationRow {
  id: string;
  tenantId: string;
  providerId: string;
  serverId: string | null;
  userId: string | null;
  userName: string;
  method: AuthMethod;
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
/** R26: the record as the domain builds it (`buildRecord`). */
export type NewAuthenticationRecord = AuthenticationRecordDraft;
