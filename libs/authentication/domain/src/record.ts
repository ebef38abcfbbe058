import type { AuthMethod } from '@twofold/directory/contracts';
import { AuthenticationStatus, isCodeDelivered, keepOnly, RecordFieldChoice } from './authentication';

/** R26: everything an authentication record may hold; optional fields already filtered by the provider's choice. */
export interface AuthenticationRecordDraft {
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

/** What the record of an authentication needs besides the authentication itself (R26). */
export interface RecordContext {
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  /** The provider's stored record-field choice (null: keep everything); see `keep` of buildRecord. */
  recordFields: unknown;
  serverName: string | null;
  serverIp: string | null;
  dataRegion: AuthenticationRecordDraft['dataRegion'];
  /** Latest message status of the authentication (SMS/voice). */
  deliveryStatus: AuthenticationRecordDraft['deliveryStatus'];
}

/** The authentication as it closes. */
export interface ClosedAuthentication {
  id: string;
  providerId: string;
  serverId: string | null;
  userId: string | null;
  userName: string;
  method: AuthMethod;
  status: AuthenticationStatus;
  denyReason: string | null;
  phone: string | null;
  clientIp: string | null;
  correlationId: string;
  completedAt: Date | null;
}

/**
 * R26: the one record of an authentication: every field the provider keeps (`keep`, the provider's
 * record-field choice with its defaults applied), the tenant's data region and the correlation id.
 * `now` stands in for a completion time not yet set.
 */
export function buildRecord(
  auth: ClosedAuthentication,
  context: RecordContext,
  keep: RecordFieldChoice,
  deviceToken: string | null,
  now: Date,
): AuthenticationRecordDraft {
  return {
    authenticationId: auth.id,
    providerId: auth.providerId,
    occurredAt: auth.completedAt ?? now,
    uniqueId: auth.userName,
    userId: auth.userId,
    serverId: auth.serverId,
    firstName: keepOnly(keep.firstName, context.firstName),
    lastName: keepOnly(keep.lastName, context.lastName),
    email: keepOnly(keep.email, context.email),
    phone: keepOnly(keep.phoneNumber, auth.phone),
    deviceToken: keepOnly(keep.deviceToken, deviceToken),
    method: auth.method,
    mode: auth.method,
    result: auth.status === 'succeeded' ? 'success' : 'deny',
    denyReason: auth.status === 'expired' ? 'expired' : auth.denyReason,
    serverName: keepOnly(keep.serverName, context.serverName),
    serverIp: keepOnly(keep.serverIp, context.serverIp),
    clientIp: keepOnly(keep.clientIp, auth.clientIp),
    dataRegion: context.dataRegion,
    deliveryStatus: isCodeDelivered(auth.method) ? context.deliveryStatus : null,
    correlationId: auth.correlationId,
  };
}
