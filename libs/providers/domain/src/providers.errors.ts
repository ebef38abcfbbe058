import { DomainError, NotFoundError } from '@twofold/platform/errors';

export enum ProviderErrorCode {
  ProviderNotFound = 'provider_not_found',
  BillingModelImmutable = 'billing_model_immutable',
  TenantNotFound = 'tenant_not_found',
  LinkConsentNotFound = 'link_consent_not_found',
  MfaServerNotFound = 'mfa_server_not_found',
  ActivationCredentialNotFound = 'activation_credential_not_found',
  ActivationCredentialInvalid = 'activation_credential_invalid',
  ActivationCredentialUsed = 'activation_credential_used',
  ActivationRateLimited = 'activation_rate_limited',
}

export const ProviderErrors = {
  notFound: () => new NotFoundError(ProviderErrorCode.ProviderNotFound, 'The MFA provider'),
  billingModelImmutable: (current: string, requested: string) =>
    new DomainError(
      ProviderErrorCode.BillingModelImmutable,
      'conflict',
      `The billing model of an MFA provider cannot be changed (R1): this provider stays "${current}". ` +
        `To bill "${requested}", create a new provider with that billing model.`,
      { billingModel: current },
    ),
  /** Linking to a tenant that is not the caller's: another tenant is invisible, so it "does not exist". */
  tenantNotFound: () => new NotFoundError(ProviderErrorCode.TenantNotFound, 'The tenant to link'),
  /** Same answer for a missing, unknown, used, expired or mismatched consent: no oracle on tenants. */
  linkConsentInvalid: () =>
    new DomainError(
      ProviderErrorCode.TenantNotFound,
      'not_found',
      'The tenant to link was not found, or its consent token is missing, used, expired, revoked or for another provider (R8).',
    ),
  linkConsentNotFound: () => new NotFoundError(ProviderErrorCode.LinkConsentNotFound, 'The link consent'),
  mfaServerNotFound: () => new NotFoundError(ProviderErrorCode.MfaServerNotFound, 'The MFA server'),
  activationCredentialNotFound: () =>
    new NotFoundError(ProviderErrorCode.ActivationCredentialNotFound, 'The activation credential'),
  /**
   * Unknown, used, revoked and expired credentials get the same answer, so the endpoint tells a
   * guesser nothing about which credentials exist.
   */
  activationCredentialInvalid: () =>
    new DomainError(
      ProviderErrorCode.ActivationCredentialInvalid,
      'unauthorized',
      'The activation credential is not valid: it is unknown, already used, revoked or expired. ' +
        'Generate a new one for the provider (POST /v1/providers/{id}/activation-credentials).',
    ),
  activationRateLimited: (retryAfterSeconds: number) =>
    new DomainError(
      ProviderErrorCode.ActivationRateLimited,
      'rate_limited',
      `Too many MFA server activation attempts from this address; try again in ${retryAfterSeconds} s.`,
      { retryAfterSeconds },
    ),
  activationCredentialUsed: () =>
    new DomainError(
      ProviderErrorCode.ActivationCredentialUsed,
      'conflict',
      'This activation credential was already used to activate an MFA server; revoke that server instead.',
    ),
};
