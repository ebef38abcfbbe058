import { Module } from '@nestjs/common';
import {
  BillableUsersRepository,
  BillingAccountsRepository,
  LicensePurchaseRepository,
  STRIPE_SETTINGS,
  StripeGateway,
  StripeSettings,
  UsageBacklogRepository,
  UsageRelayRepository,
} from '@twofold/billing/data-access';
import { APP_CONFIG } from '@twofold/platform/config';
import { AuditLogRepository } from '@twofold/tenancy/data-access';
import type { StripeConfig } from './config';
import { LicensePurchaseService } from './purchases/license-purchase.service';
import { ReconciliationService } from './reconciliation/reconciliation.service';
import { SubscriptionReconciler } from './subscriptions/subscription-reconciler.service';
import { RELAY_OPTIONS, RelayOptions, UsageRelayService } from './usage/usage-relay.service';
import { UsageMetrics } from './usage/usage-metrics';
import { UserMonthService } from './usage/user-month.service';

export function stripeSettings(config: StripeConfig): StripeSettings {
  return {
    apiBaseUrl: config.STRIPE_API_BASE_URL,
    secretKey: config.STRIPE_SECRET_KEY,
    webhookSecret: config.STRIPE_WEBHOOK_SECRET,
    timeoutMs: config.STRIPE_TIMEOUT_MS,
    prices: { per_authentication: config.STRIPE_PRICE_PER_AUTHENTICATION, per_user: config.STRIPE_PRICE_PER_USER },
    seatPrice: config.STRIPE_PRICE_PER_SEAT,
    unpaidGraceDays: config.LICENSE_UNPAID_GRACE_DAYS,
    meterEvents: {
      per_authentication: config.STRIPE_METER_EVENT_AUTHENTICATIONS,
      per_user: config.STRIPE_METER_EVENT_USERS,
    },
    meterIds: { per_authentication: config.STRIPE_METER_ID_AUTHENTICATIONS, per_user: config.STRIPE_METER_ID_USERS },
  };
}

/** Billing use cases shared by the HTTP app, the worker and the reconciliation command. */
@Module({
  providers: [
    { provide: STRIPE_SETTINGS, inject: [APP_CONFIG], useFactory: stripeSettings },
    {
      provide: RELAY_OPTIONS,
      inject: [APP_CONFIG],
      useFactory: (c: {
        BILLING_BATCH_SIZE?: number;
        BILLING_STRIPE_CONCURRENCY?: number;
        BILLING_CLAIM_LEASE_MS?: number;
      }): RelayOptions => ({
        batchSize: c.BILLING_BATCH_SIZE ?? 200,
        concurrency: c.BILLING_STRIPE_CONCURRENCY ?? 16,
        ...(c.BILLING_CLAIM_LEASE_MS ? { leaseMs: c.BILLING_CLAIM_LEASE_MS } : {}),
      }),
    },
    StripeGateway,
    UsageRelayRepository,
    UsageBacklogRepository,
    UsageMetrics,
    BillableUsersRepository,
    BillingAccountsRepository,
    AuditLogRepository,
    LicensePurchaseRepository,
    LicensePurchaseService,
    UsageRelayService,
    UserMonthService,
    SubscriptionReconciler,
    ReconciliationService,
  ],
  exports: [
    ReconciliationService,
    LicensePurchaseRepository,
    LicensePurchaseService,
    AuditLogRepository,
    StripeGateway,
    UsageRelayRepository,
    UsageBacklogRepository,
    UsageMetrics,
    BillableUsersRepository,
    BillingAccountsRepository,
    UsageRelayService,
    UserMonthService,
    SubscriptionReconciler,
  ],
})
export class BillingCoreModule {}
