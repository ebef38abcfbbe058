import { DynamicModule, Module } from '@nestjs/common';
import { RecordRetentionRepository } from '@twofold/authentication/data-access';
import { DbModule } from '@twofold/platform/db';
import { loggerModule } from '@twofold/platform/http';
import { QueueModule, WorkerModule } from '@twofold/platform/queue';
import { APP_CONFIG, AppConfigModule } from '@twofold/platform/config';
import { ExportRepository, REPORT_READ_LIMITS, ReportSource } from '@twofold/reporting/data-access';
import { AuditRetentionRepository, TenantRepository } from '@twofold/tenancy/data-access';
import { ReportingWorkerConfig, workerReadLimits } from './config';
import { ExportProcessor } from './exports/export.processor';
import { PartitionMaintenance } from './maintenance/partition-maintenance';
import { RetentionPurge } from './maintenance/retention-purge';

/** What the export processor needs, handed to the worker module. */
@Module({
  providers: [
    ExportRepository,
    ReportSource,
    {
      provide: REPORT_READ_LIMITS,
      inject: [APP_CONFIG],
      useFactory: (c: ReportingWorkerConfig) => workerReadLimits(c),
    },
  ],
  exports: [ExportRepository, ReportSource],
})
class ExportDependencies {}

/** The reporting BullMQ worker: builds export files and deletes them when they expire. */
@Module({})
export class AppWorkerModule {
  static forRoot(config: ReportingWorkerConfig): DynamicModule {
    return {
      module: AppWorkerModule,
      imports: [
        AppConfigModule.forRoot(config),
        loggerModule(config, 'reporting-worker'),
        DbModule,
        QueueModule,
        WorkerModule.forRoot({ imports: [ExportDependencies], processors: [ExportProcessor] }),
      ],
      providers: [
        PartitionMaintenance,
        RetentionPurge,
        TenantRepository,
        RecordRetentionRepository,
        AuditRetentionRepository,
      ],
    };
  }
}
