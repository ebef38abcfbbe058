import { AUTH_METHODS, AuthMethod } from '@twofold/directory/contracts';
import type { TenantTierCode } from '@twofold/tenancy/contracts';
import { DirectoryErrors } from './directory.errors';

/** Methods that deliver a code to a phone number. */
export const PHONE_METHODS: readonly AuthMethod[] = ['sms', 'voice'];
/** Methods that come with an authenticator-app activation. */
export const APP_METHODS: readonly AuthMethod[] = ['app_notification', 'app_code'];
/** R9: security defaults allow the authenticator app only. */
export const FREE_TIER_METHODS: readonly AuthMethod[] = APP_METHODS;
/** App passwords serve only non-browser clients (R17): never a second factor to prompt for. */
export const INTERACTIVE_METHODS: readonly AuthMethod[] = AUTH_METHODS.filter((m) => m !== 'app_password');

export type MethodPolicy = Record<AuthMethod, boolean>;

/**
 * The tenant's effective policy: a stored row says enabled/disabled, no row means enabled (R20);
 * on the free tier every method but the authenticator app reads as disabled whatever is stored (R9).
 */
export function effectivePolicy(
  tier: TenantTierCode,
  stored: ReadonlyArray<{ method: AuthMethod; enabled: boolean }>,
): MethodPolicy {
  const rows = new Map(stored.map((r) => [r.method, r.enabled]));
  return Object.fromEntries(
    AUTH_METHODS.map((m) => [m, (tier !== 'free' || FREE_TIER_METHODS.includes(m)) && (rows.get(m) ?? true)]),
  ) as MethodPolicy;
}

/**
 * A policy change, checked against the tier. Returns the methods that go from enabled to disabled
 * (their users get `method_disabled`, R20). Enabling a non-app method on the free tier is refused.
 */
export function planPolicyChange(
  tier: TenantTierCode,
  current: MethodPolicy,
  change: Partial<Record<AuthMethod, boolean>>,
): { newlyDisabled: AuthMethod[] } {
  for (const m of AUTH_METHODS) {
    if (change[m] === true && tier === 'free' && !FREE_TIER_METHODS.includes(m)) {
      throw DirectoryErrors.freeTierMethodNotAllowed(m);
    }
  }
  return { newlyDisabled: AUTH_METHODS.filter((m) => change[m] === false && current[m]) };
}

/** A method the policy does not allow cannot be registered or made the default. */
export function assertMethodAllowed(tier: TenantTierCode, policy: MethodPolicy, method: AuthMethod): void {
  if (tier === 'free' && !FREE_TIER_METHODS.includes(method)) throw DirectoryErrors.freeTierMethodNotAllowed(method);
  if (!policy[method]) throw DirectoryErrors.methodDisabled(method);
}

/**
 * The default method after a change of the user's methods: the current default while it is still
 * registered and allowed, otherwise the first registered, allowed, interactive method in
 * AUTH_METHODS order, otherwise none.
 */
export function resolveDefaultMethod(
  current: AuthMethod | null,
  registered: readonly AuthMethod[],
  policy: MethodPolicy,
): AuthMethod | null {
  const usable = (m: AuthMethod) => registered.includes(m) && policy[m] && INTERACTIVE_METHODS.includes(m);
  if (current && usable(current)) return current;
  return AUTH_METHODS.find(usable) ?? null;
}
