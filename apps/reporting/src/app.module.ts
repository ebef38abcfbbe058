import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from '@twofold/platform/auth';
import { AppConfigModule } from '@twofold/platform/config';
import { DbModule } from '@twofold/platform/db';
import { HealthModule, loggerModule } from '@twofold/platform/http';
import { QueueMetricsModule, QueueModule } from '@twofold/platform/queue';
import { DbApiKeyVerifier } from '@twofold/tenancy/data-access';
import type { ReportingHttpConfig } from './config';
import { ExportsModule } from './exports/exports.module';
import { ReportsModule } from './reports/reports.module';

/** The reporting HTTP process: reports and exports, with the tenants' admin API keys. */
@Module({})
export class AppModule {
  static forRoot(config: ReportingHttpConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        loggerModule(config, 'reporting'),
        DbModule,
        QueueModule,
        QueueMetricsModule.forRoot(['reporting.export']),
        AuthModule.forRoot({
          verifiers: [DbApiKeyVerifier],
          operatorKey: null,
          credentialCacheMs: config.CREDENTIAL_CACHE_MS,
        }),
        HealthModule,
        ReportsModule,
        ExportsModule,
      ],
    };
  }
}
