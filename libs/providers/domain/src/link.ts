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

/**
 * R8 re-link target. Today a provider can be linked to its owner's tenant or to none; linking to
 * another tenant needs that tenant's consent (not built yet: there is nowhere to keep the consent
 * token), so another tenant answers as not found, like on creation (R7).
 */
export function resolveRelinkTarget(ownerTenantId: string, requested: string | null): string | null {
  if (requested === null) return null;
  if (requested !== ownerTenantId) throw ProviderErrors.tenantNotFound();
  return ownerTenantId;
}
