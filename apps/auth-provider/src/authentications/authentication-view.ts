import { AuthenticationRow } from '@twofold/authentication/data-access';
import { DenyReason, MAX_ATTEMPTS } from '@twofold/authentication/domain';
import { DeliveryView } from '@twofold/delivery/data-access';
import { AuthMethod } from '@twofold/directory/contracts';

/** Who calls: a tenant's application (API key) or one of its activated MFA servers (R12). */
export interface Caller {
  tenantId: string;
  serverId: string | null;
  serverProviderId: string | null;
}

export interface StartInput {
  userId?: string;
  userName?: string;
  method?: AuthMethod;
  providerId?: string;
  /** R26: the end user's IP as the calling application saw it. */
  clientIp?: string;
  /** R17: the non-browser client presented the account's normal password (checked by the caller's directory). */
  primaryPassword?: boolean;
}

export interface VerifyInput {
  code?: string;
  /** app_notification: the device's answer, its push token (an address) and its secret (the proof). */
  approve?: boolean;
  deviceToken?: string;
  deviceSecret?: string;
}

/** One SMS or call of an authentication, as GET shows it (docs/decisions/0019). */
export type DeliveryEntry = DeliveryView;

export interface AuthenticationView {
  id: string;
  status: 'pending' | 'approved' | 'denied';
  method: AuthMethod;
  expiresAt: Date;
  reason?: DenyReason;
  /** False while a wrong code still leaves tries (R13). */
  final: boolean;
  attemptsRemaining?: number;
  /** GET, sms/voice: the latest message's outcome, and every message in order (a voice fallback is the second). */
  delivery?: DeliveryEntry | null;
  deliveries?: DeliveryEntry[];
}

export const STATUS_OF = { pending: 'pending', succeeded: 'approved', denied: 'denied', expired: 'denied' } as const;

/** The API's view of an authentication row. */
export function viewOf(a: AuthenticationRow, override?: Partial<AuthenticationView>): AuthenticationView {
  const reason = (a.status === 'expired' ? 'expired' : a.denyReason) as DenyReason | null;
  return {
    id: a.id,
    status: STATUS_OF[a.status],
    method: a.method,
    expiresAt: a.expiresAt,
    final: a.status !== 'pending',
    ...(reason ? { reason } : {}),
    ...(a.status === 'pending' ? { attemptsRemaining: MAX_ATTEMPTS - a.attempts } : {}),
    ...override,
  };
}
