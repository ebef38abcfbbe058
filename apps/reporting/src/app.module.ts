import { DynamicModule, Module } from '@nestjs/common';
import { AppConfigModule, HttpConfig } from '@twofold/platform/config';
import { DbModule } from '@twofold/platform/db';
import { HealthModule, loggerModule } from '@twofold/platform/http';
import { QueueModule } from '@twofold/platform/queue';

/** The reporting HTTP process. Its feature modules arrive with the reporting issue. */
@Module({})
export class AppModule {
  static forRoot(config: HttpConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        loggerModule(config, 'reporting'),
        DbModule,
        QueueModule,
        HealthModule,
      ],
    };
  }
}
