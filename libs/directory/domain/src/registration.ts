import { INTERACTIVE_METHODS } from './methods';
import { AuthMethod } from '@twofold/directory/contracts';

/** R19 reasons, in the order the API lists them. */
export const REGISTRATION_REASONS = [
  'mfa_enabled_nothing_registered',
  'reset_by_admin',
  'method_disabled',
  'sspr_enabled',
  'conditional_access',
  'device_registration',
  'windows_hello_for_business',
  'registration_policy',
] as const;
export type RegistrationReasonCode = (typeof REGISTRATION_REASONS)[number];

/**
 * Reasons that come from the tenant's policies (identity platform side): the admin (or its sync)
 * sets and clears them with PUT /v1/users/{id}/registration-requirements. We cannot tell when such
 * a policy is satisfied (e.g. SSPR may need two methods), so registering does not clear them.
 */
export const POLICY_REGISTRATION_REASONS = [
  'sspr_enabled',
  'conditional_access',
  'device_registration',
  'windows_hello_for_business',
  'registration_policy',
] as const satisfies readonly RegistrationReasonCode[];
export type PolicyRegistrationReason = (typeof POLICY_REGISTRATION_REASONS)[number];

export interface RegistrationView {
  registrationRequired: boolean;
  reasons: RegistrationReasonCode[];
}

/** Interactive second factors the user can be prompted for (app passwords do not count, R17). */
export function hasUsableMethod(registered: readonly AuthMethod[]): boolean {
  return registered.some((m) => INTERACTIVE_METHODS.includes(m));
}

/**
 * R19: the stored reasons plus the derived `mfa_enabled_nothing_registered` (never stored: it is
 * true exactly while the user is MFA-enabled and has no interactive method).
 */
export function registrationView(
  stored: readonly RegistrationReasonCode[],
  mfaEnabled: boolean,
  registered: readonly AuthMethod[],
): RegistrationView {
  const reasons = new Set<RegistrationReasonCode>(stored.filter((r) => r !== 'mfa_enabled_nothing_registered'));
  if (mfaEnabled && !hasUsableMethod(registered)) reasons.add('mfa_enabled_nothing_registered');
  const ordered = REGISTRATION_REASONS.filter((r) => reasons.has(r));
  return { registrationRequired: ordered.length > 0, reasons: ordered };
}

/**
 * Stored reasons after the user's methods or default changed: `reset_by_admin` clears once the user
 * has an interactive method again; `method_disabled` clears once the user has a default method the
 * policy allows. Policy reasons stay (see POLICY_REGISTRATION_REASONS).
 */
export function reasonsAfterChange(
  stored: readonly RegistrationReasonCode[],
  registered: readonly AuthMethod[],
  defaultMethod: AuthMethod | null,
): RegistrationReasonCode[] {
  return stored.filter((r) => {
    if (r === 'mfa_enabled_nothing_registered') return false;
    if (r === 'reset_by_admin') return !hasUsableMethod(registered);
    if (r === 'method_disabled') return defaultMethod === null;
    return true;
  });
}

/** R15: after a reset only the policy reasons survive, plus `reset_by_admin`. */
export function reasonsAfterReset(stored: readonly RegistrationReasonCode[]): RegistrationReasonCode[] {
  const kept = stored.filter((r): r is PolicyRegistrationReason =>
    (POLICY_REGISTRATION_REASONS as readonly string[]).includes(r),
  );
  return REGISTRATION_REASONS.filter((r) => r === 'reset_by_admin' || (kept as string[]).includes(r));
}

/** PUT registration-requirements: the admin sets the policy reasons; system reasons are kept. */
export function reasonsWithPolicy(
  stored: readonly RegistrationReasonCode[],
  policyReasons: readonly PolicyRegistrationReason[],
): RegistrationReasonCode[] {
  const system = stored.filter(
    (r) => r !== 'mfa_enabled_nothing_registered' && !(POLICY_REGISTRATION_REASONS as readonly string[]).includes(r),
  );
  const all = new Set<RegistrationReasonCode>([...system, ...policyReasons]);
  return REGISTRATION_REASONS.filter((r) => all.has(r));
}
