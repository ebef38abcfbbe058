import { checkDestination, DeliveryChannel } from '@twofold/delivery/contracts';

/** Why a message was not sent; stored as the message's error code (R22). */
export enum DeliveryFailure {
  InvalidNumber = 'invalid_number',
  NoRouteForCountry = 'no_route_for_country',
  TollFraudRisk = 'toll_fraud_risk',
  TollFreeSms = 'toll_free_sms',
  CountryNotAllowed = 'country_not_allowed',
  NoSenderAvailable = 'no_sender_available',
  NoVoiceCallerId = 'no_voice_caller_id',
  CodeUnreadable = 'code_unreadable',
  ProviderRejected = 'provider_rejected',
  ProviderUnavailable = 'provider_unavailable',
  /** docs/decisions/0026: the operator suspended the tenant after the code was queued; nothing is sent. */
  TenantSuspended = 'tenant_suspended',
}

export type ShortCodeCountry = 'US' | 'CA';

export interface Recipient {
  /** E.164 */
  e164: string;
  /** ISO 3166-1 alpha-2, or null for non-geographic numbers (satellite, international networks). */
  country: string | null;
}

export type RecipientCheck = { ok: true; recipient: Recipient } | { ok: false; failure: DeliveryFailure };

/**
 * Parses and classifies a recipient for its channel with the platform's one destination rule
 * (delivery contracts, docs/decisions/0019): numbers that bill the caller, personal, UAN, pager,
 * voicemail and non-geographic numbers are toll-fraud risks; toll-free numbers get no SMS.
 * The authentication engine refuses all of them at the start already; this is the last check.
 */
export function checkRecipient(phone: string, channel: DeliveryChannel = 'sms'): RecipientCheck {
  const check = checkDestination(phone, channel);
  if (check.ok) return { ok: true, recipient: { e164: check.e164, country: check.country } };
  if (check.reason === 'invalid') return { ok: false, failure: DeliveryFailure.InvalidNumber };
  if (check.reason === 'toll_free_sms') return { ok: false, failure: DeliveryFailure.TollFreeSms };
  return { ok: false, failure: DeliveryFailure.TollFraudRisk };
}

/** Failures decided by the platform before any carrier saw the message: recorded as `refused`. */
export const REFUSALS: ReadonlySet<string> = new Set<string>([
  DeliveryFailure.InvalidNumber,
  DeliveryFailure.NoRouteForCountry,
  DeliveryFailure.TollFraudRisk,
  DeliveryFailure.TollFreeSms,
  DeliveryFailure.CountryNotAllowed,
  DeliveryFailure.TenantSuspended,
]);

/** R21/R22: which short-code pool serves a country. Only the US and Canada have one. */
export function shortCodeCountryOf(country: string): ShortCodeCountry | null {
  // libphonenumber gives Caribbean and other NANP +1 numbers (JM, DO, PR, GU...) their own
  // region, so only numbers it places in the US or Canada reach a short code.
  return country === 'US' || country === 'CA' ? country : null;
}

export interface SenderCandidate {
  /** Short code, E.164 long code or alphanumeric sender id. */
  sender: string;
  kind: 'short_code' | 'long_code' | 'alphanumeric';
  /** Messages per second through this sender. */
  ratePerSecond: number;
}

export interface PoolEntry {
  sender: string;
  enabled: boolean;
  rateLimitPerSecond: number | null;
}

export interface RouteEntry extends PoolEntry {
  country: string;
  kind: 'long_code' | 'alphanumeric';
}

export interface RoutingInput {
  country: string;
  /** The enabled short codes of the recipient's pool, if it has one. */
  shortCodes: PoolEntry[];
  /** Sender routes of the recipient's country. */
  routes: RouteEntry[];
  defaults: { shortCodePerSecond: number; longCodePerSecond: number };
}

export type RoutingDecision = { ok: true; candidates: SenderCandidate[] } | { ok: false; failure: DeliveryFailure };

/** The senders that may carry an SMS to `country`; never a short code outside its own country. */
export function smsCandidates(input: RoutingInput): RoutingDecision {
  const pool = shortCodeCountryOf(input.country);
  if (pool) {
    const candidates = input.shortCodes
      .filter((c) => c.enabled)
      .map<SenderCandidate>((c) => ({
        sender: c.sender,
        kind: 'short_code',
        ratePerSecond: c.rateLimitPerSecond ?? input.defaults.shortCodePerSecond,
      }));
    return candidates.length ? { ok: true, candidates } : { ok: false, failure: DeliveryFailure.NoSenderAvailable };
  }
  const candidates = input.routes
    .filter((r) => r.enabled && r.country === input.country)
    .map<SenderCandidate>((r) => ({
      sender: r.sender,
      kind: r.kind,
      ratePerSecond: r.rateLimitPerSecond ?? input.defaults.longCodePerSecond,
    }));
  return candidates.length ? { ok: true, candidates } : { ok: false, failure: DeliveryFailure.NoRouteForCountry };
}

/**
 * Spreads load over a pool: a random rotation of the candidates. The sender takes the first one
 * with capacity left, so load spreads evenly and a busy sender is skipped, not waited for.
 */
export function rotation<T>(candidates: readonly T[], random: () => number): T[] {
  if (candidates.length === 0) return [];
  const start = Math.floor(random() * candidates.length) % candidates.length;
  return [...candidates.slice(start), ...candidates.slice(0, start)];
}
