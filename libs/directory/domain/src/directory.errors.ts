import { DomainError, NotFoundError } from '@twofold/platform/errors';

/** Codes of methods, registration, authenticator-app activation and app passwords. */
export enum DirectoryErrorCode {
  MethodNotFound = 'method_not_found',
  MethodAlreadyRegistered = 'method_already_registered',
  MethodDisabled = 'method_disabled',
  MethodNotDefaultable = 'method_not_defaultable',
  FreeTierMethodNotAllowed = 'free_tier_method_not_allowed',
  DeviceActivationRequired = 'device_activation_required',
  OathTokenRequired = 'oath_token_required',
  AppPasswordsNotAllowed = 'app_passwords_not_allowed',
  DeviceNotFound = 'device_not_found',
  AppPasswordNotFound = 'app_password_not_found',
  AppPasswordLimitReached = 'app_password_limit_reached',
}

export const DirectoryErrors = {
  methodNotFound: (method: string) =>
    new DomainError(DirectoryErrorCode.MethodNotFound, 'not_found', `The user has no registered method "${method}".`, {
      method,
    }),
  methodAlreadyRegistered: (method: string) =>
    new DomainError(
      DirectoryErrorCode.MethodAlreadyRegistered,
      'conflict',
      `The user has already registered "${method}". Delete it first to register it again (e.g. with another phone number).`,
      { method },
    ),
  methodDisabled: (method: string) =>
    new DomainError(
      DirectoryErrorCode.MethodDisabled,
      'conflict',
      `The method "${method}" is disabled for this tenant (R20). Enable it with PATCH /v1/method-policy or use another method.`,
      { method },
    ),
  methodNotDefaultable: (method: string) =>
    new DomainError(
      DirectoryErrorCode.MethodNotDefaultable,
      'conflict',
      `"${method}" cannot be the default method: app passwords serve only non-browser apps (R11, R17).`,
      { method },
    ),
  freeTierMethodNotAllowed: (method: string) =>
    new DomainError(
      DirectoryErrorCode.FreeTierMethodNotAllowed,
      'conflict',
      `The free tier uses security defaults (R9): only the authenticator app (app_notification, app_code) is allowed, not "${method}". Upgrade the tenant to use other methods.`,
      { method },
    ),
  deviceActivationRequired: (method: string) =>
    new DomainError(
      DirectoryErrorCode.DeviceActivationRequired,
      'conflict',
      `"${method}" needs an activated authenticator app: activate one with POST /v1/users/{id}/devices, which registers it.`,
      { method },
    ),
  oathTokenRequired: () =>
    new DomainError(
      DirectoryErrorCode.OathTokenRequired,
      'conflict',
      'oath_token needs a hardware token assigned to the user: import and assign a token first (R25).',
      { method: 'oath_token' },
    ),
  appPasswordsNotAllowed: () =>
    new DomainError(
      DirectoryErrorCode.AppPasswordsNotAllowed,
      'conflict',
      'This tenant does not allow app passwords (R17). Allow them with PATCH /v1/tenants/{id} { "appPasswordsAllowed": true }.',
    ),
  appPasswordLimitReached: (max: number) =>
    new DomainError(
      DirectoryErrorCode.AppPasswordLimitReached,
      'conflict',
      `A user may hold at most ${max} app passwords (each sign-in tries them all): delete one first.`,
      { max },
    ),
  deviceNotFound: () => new NotFoundError(DirectoryErrorCode.DeviceNotFound, 'The device activation'),
  appPasswordNotFound: () => new NotFoundError(DirectoryErrorCode.AppPasswordNotFound, 'The app password'),
};
