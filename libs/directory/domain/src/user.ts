import { checkDestination, DeliveryChannel, PhoneRefusalReason } from '@twofold/delivery/contracts';

/**
 * User names are UPNs/e-mail-like sign-in names: compared without regard to case (as directories
 * do), so they are stored trimmed and lower-cased and unique per tenant in that form.
 */
export function normaliseUserName(raw: string): string {
  return raw.trim().toLowerCase();
}

export type PhoneResult =
  { ok: true; e164: string } | { ok: false; reason: string; refusal?: Exclude<PhoneRefusalReason, 'invalid'> };

export interface PhoneRules {
  /** The tenant's region for numbers typed without +; null: such numbers are refused. */
  defaultRegion: string | null;
  /** The channel the number serves; null for a user's own number (SMS or voice). */
  channel: DeliveryChannel | null;
}

/**
 * R22: numbers are stored in E.164. A number without a leading + is read in the tenant's default
 * region (`phoneDefaultRegion`, US unless the tenant changed it), otherwise it must carry its
 * country code. Invalid numbers are refused, never stored as typed; numbers of a toll-fraud class
 * (premium rate, shared cost, satellite…, and toll free for SMS) are refused with the class as
 * `refusal` (docs/decisions/0019).
 */
export function normalisePhone(raw: string, rules: PhoneRules = { defaultRegion: 'US', channel: null }): PhoneResult {
  const trimmed = raw.trim();
  if (!/^[+\d\s().-]{4,32}$/.test(trimmed)) {
    return { ok: false, reason: 'phoneNumber must be a phone number in international form, e.g. +14255550100' };
  }
  if (!trimmed.startsWith('+') && !rules.defaultRegion) {
    return {
      ok: false,
      reason: 'phoneNumber must start with + and the country code: this tenant has no default region',
    };
  }
  const check = checkDestination(trimmed, rules.channel, rules.defaultRegion);
  if (check.ok) return { ok: true, e164: check.e164 };
  if (check.reason === 'invalid') {
    return { ok: false, reason: 'phoneNumber is not a valid phone number (use E.164, e.g. +14255550100)' };
  }
  return { ok: false, reason: refusalMessage(check.reason), refusal: check.reason };
}

const REFUSAL_TEXT: Record<Exclude<PhoneRefusalReason, 'invalid'>, string> = {
  premium_rate: 'a premium-rate number',
  shared_cost: 'a shared-cost number',
  personal_number: 'a personal ("follow-me") number',
  uan: 'a universal access number',
  pager: 'a pager number',
  voicemail: 'a voicemail-only number',
  non_geographic: 'a non-geographic (satellite or international network) number',
  toll_free_sms: 'a toll-free number, which cannot receive SMS codes (register it for voice instead)',
};

export const refusalMessage = (reason: Exclude<PhoneRefusalReason, 'invalid'>): string =>
  `phoneNumber is ${REFUSAL_TEXT[reason]}: codes are not sent there (toll-fraud protection).`;

/** R4: a license counts while its pool's term covers the moment. */
export function termCovers(term: { termStart: Date; termEnd: Date }, at: Date): boolean {
  return term.termStart.getTime() <= at.getTime() && at.getTime() < term.termEnd.getTime();
}

export const MAX_BULK_USERS = 10_000;
