import type { PhoneRefusalReason } from '@twofold/delivery/contracts';
import { DomainError, NotFoundError } from '@twofold/platform/errors';

export enum AuthenticationErrorCode {
  AuthenticationNotFound = 'authentication_not_found',
  ProviderRequired = 'provider_required',
  NoProvider = 'no_provider',
  ProviderNotFound = 'provider_not_found',
  UserNotFound = 'user_not_found',
  NoDefaultMethod = 'no_default_method',
  MethodNotRegistered = 'method_not_registered',
  MethodDisabled = 'method_disabled',
  FreeTierMethodNotAllowed = 'free_tier_method_not_allowed',
  NoPhoneNumber = 'no_phone_number',
  SendLimitReached = 'send_limit_reached',
  UserLockedOut = 'user_locked_out',
  AuthenticationClosed = 'authentication_closed',
  WrongServer = 'wrong_server',
  AppPasswordsNotAllowed = 'app_passwords_not_allowed',
  PhoneNumberNotAllowed = 'phone_number_not_allowed',
  CountryNotAllowed = 'country_not_allowed',
  NoRouteForCountry = 'no_route_for_country',
  SmsVelocityExceeded = 'sms_velocity_exceeded',
}

export const AuthenticationErrors = {
  notFound: () => new NotFoundError(AuthenticationErrorCode.AuthenticationNotFound, 'The authentication'),
  userNotFound: () => new NotFoundError(AuthenticationErrorCode.UserNotFound, 'The user'),
  providerNotFound: () => new NotFoundError(AuthenticationErrorCode.ProviderNotFound, 'The MFA provider'),
  providerRequired: () =>
    new DomainError(
      AuthenticationErrorCode.ProviderRequired,
      'invalid',
      'The tenant has several providers: name one with `providerId`.',
      {
        errors: [{ field: 'providerId', problems: ['providerId is required when the tenant has several providers'] }],
      },
    ),
  noProvider: () =>
    new DomainError(
      AuthenticationErrorCode.NoProvider,
      'conflict',
      'No MFA provider serves this tenant: create one (POST /v1/providers).',
    ),
  noDefaultMethod: () =>
    new DomainError(
      AuthenticationErrorCode.NoDefaultMethod,
      'conflict',
      'The user has no default method: name one with `method`, or register one.',
    ),
  methodNotRegistered: (method: string) =>
    new DomainError(
      AuthenticationErrorCode.MethodNotRegistered,
      'conflict',
      `The user has not registered "${method}".`,
      { method },
    ),
  methodDisabled: (method: string) =>
    new DomainError(AuthenticationErrorCode.MethodDisabled, 'conflict', `The tenant has disabled "${method}" (R20).`, {
      method,
    }),
  freeTierMethodNotAllowed: (method: string) =>
    new DomainError(
      AuthenticationErrorCode.FreeTierMethodNotAllowed,
      'conflict',
      `The free tier (security defaults, R9) allows only the authenticator app; "${method}" is refused.`,
      { method },
    ),
  /** R17: app passwords work only while the tenant allows them. */
  appPasswordsNotAllowed: () =>
    new DomainError(
      AuthenticationErrorCode.AppPasswordsNotAllowed,
      'conflict',
      'This tenant does not allow app passwords (R17): the sign-in needs another method, or the tenant allows them again with PATCH /v1/tenants/{id} { "appPasswordsAllowed": true }.',
    ),
  noPhoneNumber: () =>
    new DomainError(
      AuthenticationErrorCode.NoPhoneNumber,
      'conflict',
      'The user has no phone number for SMS or voice.',
    ),
  /** R13: the 6th SMS/voice send within 5 minutes. */
  sendLimitReached: (retryAfterSeconds: number) =>
    new DomainError(
      AuthenticationErrorCode.SendLimitReached,
      'rate_limited',
      `At most 5 codes by SMS or voice per user in 5 minutes (R13); try again in ${retryAfterSeconds} s.`,
      { retryAfterSeconds },
    ),
  userLockedOut: (retryAfterSeconds: number) =>
    new DomainError(
      AuthenticationErrorCode.UserLockedOut,
      'rate_limited',
      `Too many failed verifications for this user; try again in ${retryAfterSeconds} s.`,
      { retryAfterSeconds },
    ),
  /** docs/decisions/0019: the number is of a toll-fraud class (stored before the rule, or toll free for SMS). */
  phoneNumberNotAllowed: (reason: PhoneRefusalReason) =>
    new DomainError(
      AuthenticationErrorCode.PhoneNumberNotAllowed,
      'invalid',
      reason === 'invalid'
        ? 'The user’s phone number is not a valid number: update it (PATCH the user or register the method again).'
        : reason === 'toll_free_sms'
          ? 'Toll-free numbers cannot receive SMS codes: use voice for this number, or register another one.'
          : `Codes are not sent to ${reason.replace(/_/g, ' ')} numbers (toll-fraud protection): register another number.`,
      { reason },
    ),
  countryNotAllowed: (country: string) =>
    new DomainError(
      AuthenticationErrorCode.CountryNotAllowed,
      'conflict',
      `SMS and voice to ${country} are not allowed for this tenant: add the country to deliveryCountries ` +
        '(PATCH /v1/tenants/{id}) if its users live there.',
      { country },
    ),
  noRouteForCountry: (country: string) =>
    new DomainError(
      AuthenticationErrorCode.NoRouteForCountry,
      'conflict',
      `No SMS sender serves ${country} (R22): use voice or another method, or ask the platform operator for a route.`,
      { country },
    ),
  smsVelocityExceeded: (country: string, retryAfterSeconds: number) =>
    new DomainError(
      AuthenticationErrorCode.SmsVelocityExceeded,
      'rate_limited',
      `Too many SMS and voice codes to ${country} for this tenant in the last hour (or to one number range in ` +
        `10 minutes); try again in ${retryAfterSeconds} s.`,
      { country, retryAfterSeconds },
    ),
  closed: (status: string) =>
    new DomainError(
      AuthenticationErrorCode.AuthenticationClosed,
      'conflict',
      `The authentication is already ${status}.`,
      { status },
    ),
};
