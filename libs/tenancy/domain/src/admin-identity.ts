import { DomainError, NotFoundError } from '@twofold/platform/errors';
import { formatToken, hashToken, isWellFormedToken } from '@twofold/platform/crypto';

/**
 * Tenant admins (issue 18, docs/decisions/0031): invited by e-mail with a role, they set a password
 * and enrol an authenticator-app TOTP, then sign in with all three for a session cookie.
 */

/** One-time invitation tokens (`tfi_` + 32 random bytes), shown once; only the SHA-256 is kept. */
export const INVITATION_TOKEN_PREFIX = 'tfi_';
/** Session cookie tokens (`tfw_` + 32 random bytes); only the SHA-256 is kept. */
export const SESSION_TOKEN_PREFIX = 'tfw_';

export const formatInvitationToken = (secret: Uint8Array): string => formatToken(INVITATION_TOKEN_PREFIX, secret);
export const formatSessionToken = (secret: Uint8Array): string => formatToken(SESSION_TOKEN_PREFIX, secret);
export const isWellFormedInvitationToken = (t: string): boolean => isWellFormedToken(INVITATION_TOKEN_PREFIX, t);
export const isWellFormedSessionToken = (t: string): boolean => isWellFormedToken(SESSION_TOKEN_PREFIX, t);
export const hashAdminToken = hashToken;

/** Admin passwords: long enough to resist guessing, short enough that scrypt's input stays cheap. */
export const ADMIN_PASSWORD_MIN = 12;
export const ADMIN_PASSWORD_MAX = 128;

/** Admin TOTP: RFC 6238 defaults every authenticator app understands; one step either side. */
export const ADMIN_TOTP = { algorithm: 'SHA1', digits: 6, period: 30, window: 1 } as const;
export const ADMIN_TOTP_SEED_BYTES = 20;

/** E-mail addresses compare case-insensitively: stored and looked up lower-cased and trimmed. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export type InvitationState = 'pending' | 'accepted' | 'revoked' | 'expired';

/** What an invitation is at `now`. */
export function invitationState(
  inv: { acceptedAt: Date | null; revokedAt: Date | null; expiresAt: Date },
  now: Date,
): InvitationState {
  if (inv.acceptedAt) return 'accepted';
  if (inv.revokedAt) return 'revoked';
  if (inv.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'pending';
}

export enum AdminErrorCode {
  AdminNotFound = 'admin_not_found',
  InvitationNotFound = 'admin_invitation_not_found',
  SessionNotFound = 'admin_session_not_found',
  /** Unknown, used, revoked or expired: one answer for all, so a token reveals nothing. */
  InvitationInvalid = 'invitation_invalid',
  AdminEmailTaken = 'admin_email_taken',
  /** Every kind of wrong credential at sign-in (unknown e-mail, password, code, replayed code). */
  SignInFailed = 'sign_in_failed',
  SignInRateLimited = 'sign_in_rate_limited',
  SessionExpired = 'session_expired',
  LastOwner = 'last_owner',
}

export const AdminErrors = {
  adminNotFound: () => new NotFoundError(AdminErrorCode.AdminNotFound, 'The admin'),
  invitationNotFound: () => new NotFoundError(AdminErrorCode.InvitationNotFound, 'The invitation'),
  sessionNotFound: () => new NotFoundError(AdminErrorCode.SessionNotFound, 'The session'),
  invitationInvalid: () =>
    new DomainError(
      AdminErrorCode.InvitationInvalid,
      'invalid',
      'This invitation link is unknown, already used, revoked or expired; ask an owner for a new one.',
    ),
  emailTaken: () =>
    new DomainError(AdminErrorCode.AdminEmailTaken, 'conflict', 'This tenant already has an admin with this e-mail.'),
  signInFailed: () =>
    new DomainError(
      AdminErrorCode.SignInFailed,
      'unauthorized',
      'The e-mail, password or code is not right (or the code was already used).',
    ),
  signInRateLimited: (retryAfterSeconds: number) =>
    new DomainError(
      AdminErrorCode.SignInRateLimited,
      'rate_limited',
      'Too many failed sign-ins for this account or from this address; try again later.',
      { retryAfterSeconds },
    ),
  sessionExpired: () =>
    new DomainError(
      AdminErrorCode.SessionExpired,
      'unauthorized',
      'The session has ended (signed out, revoked, idle or too old): sign in again.',
    ),
  lastOwner: () =>
    new DomainError(
      AdminErrorCode.LastOwner,
      'conflict',
      'This is the tenant’s last owner; make another admin owner first, or the tenant has no owner.',
    ),
};
