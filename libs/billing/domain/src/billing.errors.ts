import { DomainError, NotFoundError } from '@twofold/platform/errors';

export enum BillingErrorCode {
  WebhookSignatureInvalid = 'webhook_signature_invalid',
  WebhookEventInvalid = 'webhook_event_invalid',
  ProviderNotFound = 'provider_not_found',
  PeriodInvalid = 'period_invalid',
  BillingUnavailable = 'billing_unavailable',
  LicensePurchaseNotFound = 'license_purchase_not_found',
  LicensePurchaseNotActive = 'license_purchase_not_active',
  SeatsBelowAssigned = 'seats_below_assigned',
  UnpaidPurchasesLimit = 'unpaid_purchases_limit',
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
  licensePurchaseNotFound: () => new NotFoundError(BillingErrorCode.LicensePurchaseNotFound, 'The license purchase'),
  licensePurchaseNotActive: (status: string) =>
    new DomainError(
      BillingErrorCode.LicensePurchaseNotActive,
      'conflict',
      `Seats can change only while the purchase is active or past due; it is ${status}.`,
    ),
  unpaidPurchasesLimit: (limit: number) =>
    new DomainError(
      BillingErrorCode.UnpaidPurchasesLimit,
      'conflict',
      `${limit} seat purchases are waiting for payment: pay or let them lapse before buying more.`,
    ),
  seatsBelowAssigned: (assigned: number) =>
    new DomainError(
      BillingErrorCode.SeatsBelowAssigned,
      'conflict',
      `${assigned} seats of this purchase are assigned; unassign some before buying fewer.`,
    ),
  billingUnavailable: () =>
    new DomainError(
      BillingErrorCode.BillingUnavailable,
      'unavailable',
      'Stripe could not be reached; try again later.',
    ),
};
