import { DeliveryFailure } from './routing';

/**
 * When a tenant's SMS -> voice fallback calls instead (docs/decisions/0012, 0019): the SMS could not
 * reach a handset that a call may still reach. Refused at send time: no SMS route to the country
 * (ours), unsubscribed (21610), unreachable by SMS (21612), not a mobile number (21614), SMS not
 * enabled for the region (21408). Reported later by the carrier's status callback: unreachable
 * handset (30003), unknown destination handset (30005), landline or unreachable carrier (30006).
 * Filtering, blocking and spam verdicts (30004, 30007) do not: a call would not be welcome either.
 */
const VOICE_FALLBACK_ERRORS: ReadonlySet<string> = new Set([
  DeliveryFailure.NoRouteForCountry,
  '21610',
  '21612',
  '21614',
  '21408',
  '30003',
  '30005',
  '30006',
]);

export function fallsBackToVoice(errorCode: string | null): boolean {
  return errorCode !== null && VOICE_FALLBACK_ERRORS.has(errorCode);
}
