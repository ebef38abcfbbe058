import { DynamicModule, Module } from '@nestjs/common';
import { AppConfigModule } from '@twofold/platform/config';
import { DbModule } from '@twofold/platform/db';
import { loggerModule } from '@twofold/platform/http';
import { QueueModule, WorkerModule } from '@twofold/platform/queue';
import { ExportRepository, ReportSource } from '@twofold/reporting/data-access';
import type { ReportingWorkerConfig } from './config';
import { ExportProcessor } from './exports/export.processor';

/** What the export processor needs, handed to the worker module. */
@Module({ providers: [ExportRepository, ReportSource], exports: [ExportRepository, ReportSource] })
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
    };
  }
}
