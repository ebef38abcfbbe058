import type { AuthMethod } from '@twofold/directory/contracts';
import { AuthenticationErrors } from './authentication.errors';
import { DenyReason, isCodeDelivered } from './authentication';

/**
 * What a start decides before it writes anything (R7, R9, R11, R12, R17, R18, R20). Pure: the use
 * case reads the facts in one statement, asks these functions, and writes the answer.
 */

/** How a start ends at once: still pending (a code or a push goes out), or denied with its record. */
export type StartDecision = { status: 'pending' } | { status: 'denied'; reason: DenyReason };

export interface StartFacts {
  method: AuthMethod;
  /** R17: the non-browser client presented the account's normal password. */
  primaryPassword: boolean;
  mfaEnabled: boolean;
  /** R18: the user's active authenticator-app activations. */
  activeDevices: number;
}

/** R17, R18: the starts that are denied at once (they still count and leave a record, R2, R26). */
export function decideStart(f: StartFacts): StartDecision {
  // R17: a legacy client that sent the normal password of an MFA-enabled account needs an app password.
  if (f.method === 'app_password' && f.primaryPassword && f.mfaEnabled)
    return { status: 'denied', reason: 'app_password_required' };
  // R18: the app was activated once, but no activation is active any more.
  if ((f.method === 'app_notification' || f.method === 'app_code') && f.activeDevices === 0)
    return { status: 'denied', reason: 'account_not_activated' };
  return { status: 'pending' };
}

export interface MethodFacts {
  tier: 'free' | 'standard';
  /** The tenant's effective method policy (the directory's `effectivePolicy`: R9 tier, R20 settings). */
  enabled: Readonly<Record<AuthMethod, boolean>>;
  /** R17: the tenant allows app passwords. */
  appPasswordsAllowed: boolean;
  /** The user's registered methods, each with its own number where it has one. */
  methods: ReadonlyArray<{ method: AuthMethod; phone: string | null }>;
  /** The user's own number, used by a phone method registered without one. */
  userPhone: string | null;
}

/**
 * R9, R20, R11: the tenant allows the method and the user has registered it. Returns the number an
 * SMS/voice code goes to (the method's own, else the user's), null for other methods; throws the
 * refusal otherwise.
 */
export function usableMethod(f: MethodFacts, method: AuthMethod): string | null {
  if (f.tier === 'free' && isCodeDelivered(method)) throw AuthenticationErrors.freeTierMethodNotAllowed(method);
  if (!f.enabled[method]) {
    if (f.tier === 'free') throw AuthenticationErrors.freeTierMethodNotAllowed(method);
    throw AuthenticationErrors.methodDisabled(method);
  }
  if (method === 'app_password') {
    // R17: only while the tenant allows app passwords; then decided per sign-in, registered or not.
    if (!f.appPasswordsAllowed) throw AuthenticationErrors.appPasswordsNotAllowed();
    return null;
  }
  const registered = f.methods.find((m) => m.method === method);
  if (!registered) throw AuthenticationErrors.methodNotRegistered(method);
  if (!isCodeDelivered(method)) return null;
  const phone = registered.phone ?? f.userPhone;
  if (!phone) throw AuthenticationErrors.noPhoneNumber();
  return phone;
}

/**
 * R7, R12: the provider a start is billed to, among those the context read loaded: an MFA server's
 * own provider; else the requested one, which must be linked to this tenant (a provider without a
 * tenant link serves only MFA servers); else the tenant's only linked provider.
 */
export function chooseProvider<P extends { id: string; linkedTenantId: string | null }>(
  tenantId: string,
  caller: { serverProviderId: string | null },
  requested: string | undefined,
  loaded: readonly P[],
): P {
  if (caller.serverProviderId) {
    if (requested && requested !== caller.serverProviderId) throw AuthenticationErrors.providerNotFound();
    const p = loaded.find((x) => x.id === caller.serverProviderId);
    if (!p) throw AuthenticationErrors.providerNotFound();
    return p;
  }
  if (requested) {
    const p = loaded.find((x) => x.id === requested);
    if (!p || p.linkedTenantId !== tenantId) throw AuthenticationErrors.providerNotFound();
    return p;
  }
  const [only, another] = loaded;
  if (!only) throw AuthenticationErrors.noProvider();
  if (another) throw AuthenticationErrors.providerRequired();
  return only;
}
