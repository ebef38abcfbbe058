import { DynamicModule, Module } from '@nestjs/common';
import { AppConfigModule } from '@twofold/platform/config';
import { DbModule } from '@twofold/platform/db';
import { loggerModule } from '@twofold/platform/http';
import { WorkerModule } from '@twofold/platform/queue';
import { AuditLogRepository, TenantDeletionRepository } from '@twofold/tenancy/data-access';
import { BillingCoreModule } from './billing-core.module';
import { TenantDeletion } from './tenant-deletion/tenant-deletion';
import type { BillingWorkerConfig } from './config';
import { BILLING_LOOP_INTERVAL, BillingLoop } from './usage/billing-loop';
import { ReportUsageProcessor } from './usage/report-usage.processor';

/**
 * The billing worker process: the billing loop (docs/decisions/0013-billing.md), the billing.usage queue
 * and the scheduled tenant deletion (docs/decisions/0026).
 */
@Module({})
export class AppWorkerModule {
  static forRoot(config: BillingWorkerConfig): DynamicModule {
    return {
      module: AppWorkerModule,
      imports: [
        AppConfigModule.forRoot(config),
        loggerModule(config, 'billing-worker'),
        DbModule,
        BillingCoreModule,
        WorkerModule.forRoot({ imports: [BillingCoreModule], processors: [ReportUsageProcessor] }),
      ],
      providers: [
        { provide: BILLING_LOOP_INTERVAL, useValue: config.BILLING_LOOP_INTERVAL_MS },
        BillingLoop,
        TenantDeletionRepository,
        AuditLogRepository,
        TenantDeletion,
      ],
      exports: [BillingLoop, TenantDeletion],
    };
  }
}
