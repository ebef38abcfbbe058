import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { CountryCode } from 'libphonenumber-js/max';

/**
 * Which phone numbers may receive a one-time code, and where (docs/decisions/0019). One home for
 * the rule: the directory checks a number when it is stored, the authentication engine again when
 * it starts, and the delivery worker once more before it sends.
 */

export type DeliveryChannel = 'sms' | 'voice';

/** Why a number is refused (`400 phone_number_not_allowed`, `reason`). */
export const PHONE_REFUSAL_REASONS = [
  'premium_rate',
  'shared_cost',
  'personal_number',
  'uan',
  'pager',
  'voicemail',
  'non_geographic',
  'toll_free_sms',
  'invalid',
] as const;
export type PhoneRefusalReason = (typeof PHONE_REFUSAL_REASONS)[number];

/** libphonenumber number types that bill the caller or cannot hold a user's phone. */
const REFUSED_TYPES: Readonly<Record<string, PhoneRefusalReason>> = {
  PREMIUM_RATE: 'premium_rate',
  SHARED_COST: 'shared_cost',
  // UK 070 and US 500 "follow-me" ranges: the classic SMS-pumping destinations.
  PERSONAL_NUMBER: 'personal_number',
  UAN: 'uan',
  PAGER: 'pager',
  VOICEMAIL: 'voicemail',
};

/**
 * Calling codes without a country: global freephone (+800), shared cost (+808), Inmarsat (+870),
 * satellite (+881), international networks (+882, +883), premium rate (+979). Refused whatever
 * their type (libphonenumber even calls some of them valid mobiles).
 */
export const NON_GEOGRAPHIC_CALLING_CODES: ReadonlySet<string> = new Set([
  '800',
  '808',
  '870',
  '881',
  '882',
  '883',
  '979',
]);

export type DestinationCheck =
  { ok: true; e164: string; country: string; type: string | null } | { ok: false; reason: PhoneRefusalReason };

/**
 * Classifies an E.164 number (or, with `defaultRegion`, a national one) for `channel`; with
 * `channel` null (a user's own number, which may serve SMS or voice) toll-free numbers pass and
 * are refused later for SMS.
 */
export function checkDestination(
  raw: string,
  channel: DeliveryChannel | null,
  defaultRegion: string | null = null,
): DestinationCheck {
  const trimmed = raw.trim();
  const region = !trimmed.startsWith('+') && defaultRegion ? (defaultRegion as CountryCode) : undefined;
  if (!trimmed.startsWith('+') && !region) return { ok: false, reason: 'invalid' };
  const parsed = parsePhoneNumberFromString(trimmed, region);
  if (!parsed) return { ok: false, reason: 'invalid' };
  if (NON_GEOGRAPHIC_CALLING_CODES.has(parsed.countryCallingCode)) return { ok: false, reason: 'non_geographic' };
  if (!parsed.isValid()) return { ok: false, reason: 'invalid' };
  const country = parsed.country;
  if (!country) return { ok: false, reason: 'non_geographic' };
  const type = parsed.getType() ?? null;
  const refused = type ? REFUSED_TYPES[type] : undefined;
  if (refused) return { ok: false, reason: refused };
  // Toll-free numbers cannot receive short-code SMS (most cannot receive SMS at all); calls work.
  if (type === 'TOLL_FREE' && channel === 'sms') return { ok: false, reason: 'toll_free_sms' };
  return { ok: true, e164: parsed.number, country, type };
}

/**
 * Where SMS and voice may go unless the tenant sets its own list: the US and Canada, and a short
 * list of countries with low SMS-pumping risk and regulated premium ranges (docs/delivery.md).
 */
export const DEFAULT_DELIVERY_COUNTRIES: readonly string[] = [
  'US',
  'CA',
  'GB',
  'IE',
  'DE',
  'FR',
  'NL',
  'BE',
  'AT',
  'CH',
  'DK',
  'SE',
  'NO',
  'FI',
  'AU',
  'NZ',
];

/**
 * Countries with the highest SMS-pumping (artificially inflated traffic) losses reported by
 * carriers and verification providers; a tenant may allow them only by naming each one, and each
 * such change is audited (docs/delivery.md).
 */
export const HIGH_RISK_COUNTRIES: readonly string[] = [
  'AF',
  'AZ',
  'BD',
  'BY',
  'CU',
  'DZ',
  'EG',
  'ER',
  'GN',
  'IQ',
  'IR',
  'KG',
  'KP',
  'LY',
  'MM',
  'MR',
  'NG',
  'PK',
  'PS',
  'SD',
  'SO',
  'SS',
  'SY',
  'TJ',
  'TM',
  'UZ',
  'YE',
];

/** The countries a tenant's SMS and voice may reach: its own list, else the default. */
export const allowedCountriesOf = (tenantList: readonly string[] | null): readonly string[] =>
  tenantList ?? DEFAULT_DELIVERY_COUNTRIES;

/** Velocity caps (docs/decisions/0019): per tenant and destination country, and per number prefix. */
export const VELOCITY = {
  /** Rolling window of the per-country cap. */
  countryWindowMs: 3_600_000,
  /** Digits of the E.164 number (after `+`) that make a prefix. */
  prefixDigits: 6,
  /** Rolling window of the prefix burst check. */
  prefixWindowMs: 600_000,
} as const;

/** `+4915112345678` → `491511` (the first VELOCITY.prefixDigits digits after `+`). */
export const numberPrefix = (e164: string): string => e164.replace(/^\+/, '').slice(0, VELOCITY.prefixDigits);
