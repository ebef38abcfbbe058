import { DynamicModule, Module } from '@nestjs/common';
import { AppConfigModule, WorkerConfig } from '@twofold/platform/config';
import { DbModule } from '@twofold/platform/db';
import { loggerModule } from '@twofold/platform/http';
import { WorkerModule } from '@twofold/platform/queue';

/** The billing BullMQ worker process. Processors are registered here as the billing issue lands them. */
@Module({})
export class AppWorkerModule {
  static forRoot(config: WorkerConfig): DynamicModule {
    return {
      module: AppWorkerModule,
      imports: [
        AppConfigModule.forRoot(config),
        loggerModule(config, 'billing-worker'),
        DbModule,
        WorkerModule.forRoot({ processors: [] }),
      ],
    };
  }
}
