import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from '@twofold/platform/auth';
import { AppConfigModule } from '@twofold/platform/config';
import { DbModule } from '@twofold/platform/db';
import { HealthModule, loggerModule } from '@twofold/platform/http';
import { QueueMetricsModule, QueueModule } from '@twofold/platform/queue';
import { DbApiKeyVerifier } from '@twofold/tenancy/data-access';
import { BillingAccountController } from './account/billing-account.controller';
import { BillingAccountService } from './account/billing-account.service';
import { BillingCoreModule } from './billing-core.module';
import { LicensePurchaseController } from './purchases/license-purchase.controller';
import type { BillingHttpConfig } from './config';
import { RawBodyHook } from './webhooks/raw-body.hook';
import { StripeWebhookController } from './webhooks/stripe-webhook.controller';
import { StripeWebhookService } from './webhooks/stripe-webhook.service';

/** The billing HTTP process: Stripe webhooks and the tenant admin billing API. */
@Module({})
export class AppModule {
  static forRoot(config: BillingHttpConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        loggerModule(config, 'billing'),
        DbModule,
        QueueModule,
        QueueMetricsModule.forRoot(['billing.usage']),
        HealthModule,
        AuthModule.forRoot({
          verifiers: [DbApiKeyVerifier],
          operatorKey: null,
          credentialCacheMs: config.CREDENTIAL_CACHE_MS,
        }),
        BillingCoreModule,
      ],
      controllers: [StripeWebhookController, BillingAccountController, LicensePurchaseController],
      providers: [RawBodyHook, StripeWebhookService, BillingAccountService],
    };
  }
}
