import { DomainError, NotFoundError } from '@twofold/platform/errors';

export enum BillingErrorCode {
  WebhookSignatureInvalid = 'webhook_signature_invalid',
  ProviderNotFound = 'provider_not_found',
  PeriodInvalid = 'period_invalid',
  BillingUnavailable = 'billing_unavailable',
}

export const BillingErrors = {
  webhookSignatureInvalid: (why: string) =>
    new DomainError(
      BillingErrorCode.WebhookSignatureInvalid,
      'invalid',
      `The Stripe-Signature header is not valid: ${why}.`,
    ),
  providerNotFound: () => new NotFoundError(BillingErrorCode.ProviderNotFound, 'The provider'),
  periodInvalid: (value: string) =>
    new DomainError(BillingErrorCode.PeriodInvalid, 'invalid', `period must be a month as yyyy-mm, got "${value}".`),
  billingUnavailable: () =>
    new DomainError(
      BillingErrorCode.BillingUnavailable,
      'unavailable',
      'Stripe could not be reached; try again later.',
    ),
};
