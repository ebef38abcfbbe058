import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * User names are UPNs/e-mail-like sign-in names: compared without regard to case (as directories
 * do), so they are stored trimmed and lower-cased and unique per tenant in that form.
 */
export function normaliseUserName(raw: string): string {
  return raw.trim().toLowerCase();
}

export type PhoneResult = { ok: true; e164: string } | { ok: false; reason: string };

/**
 * R22: numbers are stored in E.164. A number without a leading + is read as a US/CA number only
 * when it has 10 digits (NANP), otherwise it must carry its country code. Invalid numbers are
 * refused, never stored as typed.
 */
export function normalisePhone(raw: string): PhoneResult {
  const trimmed = raw.trim();
  if (!/^[+\d\s().-]{4,32}$/.test(trimmed)) {
    return { ok: false, reason: 'phoneNumber must be a phone number in international form, e.g. +14255550100' };
  }
  const parsed = parsePhoneNumberFromString(trimmed, trimmed.startsWith('+') ? undefined : 'US');
  if (!parsed || !parsed.isValid()) {
    return { ok: false, reason: 'phoneNumber is not a valid phone number (use E.164, e.g. +14255550100)' };
  }
  return { ok: true, e164: parsed.number };
}

/** R4: a license counts while its pool's term covers the moment. */
export function termCovers(term: { termStart: Date; termEnd: Date }, at: Date): boolean {
  return term.termStart.getTime() <= at.getTime() && at.getTime() < term.termEnd.getTime();
}

export const MAX_BULK_USERS = 10_000;
