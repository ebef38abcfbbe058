import type { AuthenticationStatus } from '@twofold/authentication/domain';
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
  method: AuthMethod;
  mode: string | null;
  result: 'success' | 'deny';
  denyReason: string | null;
  serverName: string | null;
  serverIp: string | null;
  clientIp: string | null;
  dataRegion: 'us' | 'eu' | 'uk' | 'ca' | 'au';
  deliveryStatus: 'queued' | 'sent' | 'delivered' | 'undelivered' | 'failed' | 'refused' | null;
  correlationId: string;
}
