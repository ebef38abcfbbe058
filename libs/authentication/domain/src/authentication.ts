import type { AuthMethod } from '@twofold/directory/contracts';
/**
 * The authentication state machine (R12–R14, R17, R18). Pure: the service loads the state, asks
 * these functions what happens, and writes the answer.
 */

/** R13: a cloud SMS/voice code lives 180 s, not configurable; servers set their own (default 300 s). */
export const CLOUD_CODE_TTL_SECONDS = 180;
/** R13: wrong codes per authentication before it is denied. */
export const MAX_ATTEMPTS = 5;
/** R13: SMS/voice sends per user per 5 minutes. */
export const SEND_LIMIT = { limit: 5, windowMs: 5 * 60_000 } as const;
export const CODE_DIGITS = 6;

export type DenyReason =
  | 'expired'
  | 'too_many_attempts'
  | 'wrong_server'
  | 'invalid_code'
  | 'account_not_activated'
  | 'app_password_required'
  | 'denied_by_user'
  /** R17: the tenant stopped allowing app passwords while the authentication was open. */
  | 'app_passwords_not_allowed'
  /** R26: the user was deleted while the authentication was open; it ends with this record. */
  | 'user_deleted';

export type AuthenticationStatus = 'pending' | 'succeeded' | 'denied' | 'expired';

export const isCodeDelivered = (m: AuthMethod): m is 'sms' | 'voice' => m === 'sms' || m === 'voice';

/** R13/R12: how long an authentication stays open. */
export function expiryFor(now: Date, server: { pendingSmsTimeoutSeconds: number } | null): Date {
  const seconds = server ? server.pendingSmsTimeoutSeconds : CLOUD_CODE_TTL_SECONDS;
  return new Date(now.getTime() + seconds * 1000);
}

export interface OpenState {
  status: AuthenticationStatus;
  expiresAt: Date;
  attempts: number;
  serverId: string | null;
}

/**
 * What a verification call meets before any code is checked: a closed authentication answers its
 * final state, a call through another server (or a cloud call for a server's authentication, or the
 * reverse) is `wrong_server` (R12), a late call is `expired` (R13).
 */
export function gateVerification(
  state: OpenState,
  callerServerId: string | null,
  now: Date,
): { kind: 'closed' } | { kind: 'deny'; reason: DenyReason; status: 'denied' | 'expired' } | { kind: 'check' } {
  if (state.status !== 'pending') return { kind: 'closed' };
  if (state.serverId !== callerServerId) return { kind: 'deny', reason: 'wrong_server', status: 'denied' };
  if (now.getTime() >= state.expiresAt.getTime()) return { kind: 'deny', reason: 'expired', status: 'expired' };
  return { kind: 'check' };
}

/** After a wrong code: still open with tries left, or denied for good (R13). */
export function afterWrongCode(attempts: number): { attempts: number; final: boolean; reason: DenyReason } {
  const next = attempts + 1;
  return next >= MAX_ATTEMPTS
    ? { attempts: next, final: true, reason: 'too_many_attempts' }
    : { attempts: next, final: false, reason: 'invalid_code' };
}

/** R26: the optional record fields a provider keeps; the rest are always kept. */
export interface RecordFieldChoice {
  firstName: boolean;
  lastName: boolean;
  email: boolean;
  phoneNumber: boolean;
  deviceToken: boolean;
  serverName: boolean;
  serverIp: boolean;
  clientIp: boolean;
}

export function keepOnly<T>(keep: boolean, value: T | null | undefined): T | null {
  return keep ? (value ?? null) : null;
}
