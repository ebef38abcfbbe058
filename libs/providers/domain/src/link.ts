import { ProviderErrors } from './providers.errors';

export interface LinkChange {
  from: string | null;
  to: string | null;
}

/**
 * R8: the tenants whose users' mobile app activations a link change invalidates: the tenant the
 * provider leaves and the tenant it joins. Linking to the tenant it is already linked to changes
 * nothing (and invalidates nothing).
 */
export function tenantsAffectedByLink(change: LinkChange): string[] {
  if (change.from === change.to) return [];
  return [change.from, change.to].filter((t): t is string => t !== null);
}

/** The consent a target tenant gave (found by its token), as the link rule needs it. */
export interface LinkConsent {
  tenantId: string;
  providerId: string | null;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
}

/**
 * R8 re-link target: the owner's own tenant or none need nothing more; another tenant needs that
 * tenant's consent, unused, unexpired, unrevoked, for this provider (or for any provider). Every
 * failure reads like an unknown tenant.
 */
export function resolveRelinkTarget(
  ownerTenantId: string,
  providerId: string,
  requested: string | null,
  consent: LinkConsent | null,
  now: Date,
): string | null {
  if (requested === null || requested === ownerTenantId) return requested;
  const valid =
    consent !== null &&
    consent.tenantId === requested &&
    (consent.providerId === null || consent.providerId === providerId) &&
    consent.usedAt === null &&
    consent.revokedAt === null &&
    consent.expiresAt.getTime() > now.getTime();
  if (!valid) throw ProviderErrors.linkConsentInvalid();
  return requested;
}
