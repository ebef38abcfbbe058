import { checkDestination, DeliveryChannel } from '@twofold/delivery/contracts';
import { DomainError } from '@twofold/platform/errors';
import { AuthenticationErrors } from './authentication.errors';

export interface DestinationPolicy {
  /** The tenant's deliveryCountries (docs/decisions/0019). */
  allowedCountries: readonly string[];
  /** Countries with an enabled SMS sender (short-code pool or sender route, R21/R22). */
  routedCountries: readonly string[];
}

export type DestinationDecision = { ok: true; e164: string; country: string } | { ok: false; error: DomainError };

/**
 * Where a code may go, decided before anything is written or queued (docs/decisions/0019): the
 * number's class for its channel (numbers stored before the rule are checked again here), the
 * tenant's countries, and for SMS a sender route. Voice needs no route: the caller ID is ours.
 */
export function decideDestination(
  phone: string,
  channel: DeliveryChannel,
  policy: DestinationPolicy,
): DestinationDecision {
  const check = checkDestination(phone, channel);
  if (!check.ok) return { ok: false, error: AuthenticationErrors.phoneNumberNotAllowed(check.reason) };
  if (!policy.allowedCountries.includes(check.country)) {
    return { ok: false, error: AuthenticationErrors.countryNotAllowed(check.country) };
  }
  if (channel === 'sms' && !policy.routedCountries.includes(check.country)) {
    return { ok: false, error: AuthenticationErrors.noRouteForCountry(check.country) };
  }
  return { ok: true, e164: check.e164, country: check.country };
}
