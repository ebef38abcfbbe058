import { DomainError, NotFoundError } from '@twofold/platform/errors';

export enum ProviderErrorCode {
  ProviderNotFound = 'provider_not_found',
  BillingModelImmutable = 'billing_model_immutable',
  TenantNotFound = 'tenant_not_found',
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
};
