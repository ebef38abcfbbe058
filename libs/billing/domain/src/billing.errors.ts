import { DomainError, NotFoundError } from '@twofold/platform/errors';

export enum BillingErrorCode {
  WebhookSignatureInvalid = 'webhook_signature_invalid',
  WebhookEventInvalid = 'webhook_event_invalid',
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
  /** Correctly signed, but not a Stripe event we could even store (no id or type, not an object). */
  webhookEventInvalid: (why: string) =>
    new DomainError(BillingErrorCode.WebhookEventInvalid, 'invalid', `The signed body is not a Stripe event: ${why}.`),
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
